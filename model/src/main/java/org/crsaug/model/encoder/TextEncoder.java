package org.crsaug.model.encoder;

import java.util.List;

/**
 * Turns texts into unit-length vectors whose inner product measures semantic similarity.
 * Implementations are thread-safe: each calling thread gets its own predictor.
 */
public interface TextEncoder extends AutoCloseable {

    /** Identifies model and settings; cached vectors are keyed by it, so it must change when outputs would. */
    String id();

    int dimension();

    /**
     * Encodes documents (item descriptions) in batches; the result has one L2-normalised row per
     * input, in order.
     */
    float[][] encode(List<String> texts);

    /**
     * Encodes queries (dialogue contexts). Asymmetric models (bge, e5, instruction-tuned LLM
     * encoders) want a query marked differently from the documents it is matched against; for
     * symmetric ones this is {@link #encode}. Deliberately not a default method: a wrapper that
     * forgot to forward it would silently encode queries as documents.
     */
    float[][] encodeQueries(List<String> texts);

    @Override
    void close();
}
