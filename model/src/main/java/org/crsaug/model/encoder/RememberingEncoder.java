package org.crsaug.model.encoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers the query vectors of the texts it encoded, up to a number of texts (least recently used first
 * out), and encodes only the texts it has not seen. Made for runs that encode the same texts for many models:
 * every checkpoint of an experiment meets the same test contexts at a simulation's first turn, and the seeker's
 * later turns repeat whenever two models recommend the same film. A text's vector does not depend on what it is
 * encoded with, so the vectors are the ones the wrapped encoder gives. Documents are not remembered.
 */
public final class RememberingEncoder extends ForwardingEncoder {

    private final Map<String, float[]> seen;
    private long hits;
    private long misses;

    public RememberingEncoder(TextEncoder delegate, int maxTexts) {
        super(delegate);
        if (maxTexts < 1) {
            throw new IllegalArgumentException("maxTexts must be at least 1, got " + maxTexts);
        }
        this.seen = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > maxTexts;
            }
        };
    }

    @Override
    public float[][] encodeQueries(List<String> texts) {
        float[][] out = new float[texts.size()][];
        List<String> missing = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        synchronized (seen) {
            for (int i = 0; i < out.length; i++) {
                float[] v = seen.get(texts.get(i));
                if (v != null) {
                    out[i] = v.clone();
                    hits++;
                } else {
                    missing.add(texts.get(i));
                    at.add(i);
                }
            }
        }
        if (!missing.isEmpty()) {
            // the same text twice in one call is encoded twice: rare, and cheaper than a second map
            float[][] fresh = delegate.encodeQueries(missing);
            synchronized (seen) {
                for (int j = 0; j < fresh.length; j++) {
                    out[at.get(j)] = fresh[j];
                    seen.put(missing.get(j), fresh[j].clone());
                }
                misses += fresh.length;
            }
        }
        return out;
    }

    /** Texts answered from memory and texts encoded, so far. */
    public long[] counts() {
        synchronized (seen) {
            return new long[] {hits, misses};
        }
    }
}
