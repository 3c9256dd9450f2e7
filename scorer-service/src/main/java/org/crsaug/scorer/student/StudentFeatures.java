package org.crsaug.scorer.student;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.crsaug.schema.Item;

/**
 * The student's view of one (context, item) pair: the element-wise product and difference of the
 * context and item embeddings (a small network compares the two dimension by dimension this way,
 * without learning the comparison from a concatenation, and at half a concatenation's width), their
 * cosine, and overlap scalars. The overlap features carry the one collaborative hint a
 * text encoder misses: whether the candidate shares genres or people with the items the seeker
 * already talked about.
 */
public final class StudentFeatures {

    /** Scalars after the two embedding blocks. */
    static final int EXTRA = 5;

    private StudentFeatures() {
    }

    public static int size(int embeddingDim) {
        return 2 * embeddingDim + EXTRA;
    }

    /**
     * @param context   the context's vector from the embeddings topic
     * @param item      the candidate's vector, same encoder
     * @param candidate the candidate's metadata (may be null when unknown)
     * @param mentioned metadata of the items named earlier in the dialogue (unknown ones left out)
     */
    public static float[] of(float[] context, float[] item, Item candidate, Collection<Item> mentioned) {
        if (context.length != item.length) {
            throw new IllegalArgumentException("Context vector has " + context.length + " dimensions but item vector "
                    + item.length + ": were they made by different encoders?");
        }
        int d = context.length;
        float[] out = new float[size(d)];
        double dot = 0;
        double nc = 0;
        double ni = 0;
        for (int k = 0; k < d; k++) {
            out[k] = context[k] * item[k];
            out[d + k] = context[k] - item[k];
            dot += context[k] * item[k];
            nc += context[k] * context[k];
            ni += item[k] * item[k];
        }
        int at = 2 * d;
        out[at] = (float) (nc == 0 || ni == 0 ? 0 : dot / Math.sqrt(nc * ni));
        Set<String> genres = new HashSet<>();
        Set<String> people = new HashSet<>();
        for (Item m : mentioned) {
            lower(m.getGenres(), genres);
            lower(m.getDirectors(), people);
            lower(m.getStars(), people);
            lower(m.getWriters(), people);
        }
        if (candidate != null) {
            Set<String> own = lower(candidate.getGenres(), new HashSet<>());
            out[at + 1] = own.isEmpty() ? 0f : (float) own.stream().filter(genres::contains).count() / own.size();
            Set<String> ownPeople = lower(candidate.getDirectors(), new HashSet<>());
            lower(candidate.getStars(), ownPeople);
            lower(candidate.getWriters(), ownPeople);
            out[at + 2] = (float) Math.log1p(ownPeople.stream().filter(people::contains).count());
            out[at + 3] = candidate.getHasMetadata() ? 1f : 0f;
        }
        out[at + 4] = mentioned.isEmpty() ? 0f : 1f;
        return out;
    }

    private static Set<String> lower(List<? extends CharSequence> values, Set<String> into) {
        for (CharSequence v : values) {
            into.add(v.toString().strip().toLowerCase(java.util.Locale.ROOT));
        }
        return into;
    }
}
