package org.crsaug.data.embedding;

import java.util.ArrayList;
import java.util.List;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.EmbeddingKind;

/** Conversions and keys for the compacted embeddings topic. */
public final class Embeddings {

    /**
     * Ids under this prefix hold statistics of an encoder (the retriever's context mean), not the vector
     * of a context or an item. Context ids start with their dataset's name, so none can clash.
     */
    public static final String RESERVED_PREFIX = "@";

    private Embeddings() {
    }

    /** Whether the record is an encoder statistic rather than a context's or an item's vector. */
    public static boolean isReserved(ContextEmbedding e) {
        return e.getId().startsWith(RESERVED_PREFIX);
    }

    /** One key per (encoder, kind, id): a re-encoded text replaces the old vector under compaction. */
    public static String key(String encoderId, EmbeddingKind kind, String id) {
        return encoderId + "|" + kind + "|" + id;
    }

    public static ContextEmbedding record(EmbeddingKind kind, String id, String encoderId, String contentHash,
            float[] vector) {
        return ContextEmbedding.newBuilder()
                .setKind(kind)
                .setId(id)
                .setEncoderId(encoderId)
                .setContentHash(contentHash)
                .setVector(toList(vector))
                .build();
    }

    public static List<Float> toList(float[] v) {
        List<Float> out = new ArrayList<>(v.length);
        for (float f : v) {
            out.add(f);
        }
        return out;
    }

    public static float[] toArray(List<Float> v) {
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }
}
