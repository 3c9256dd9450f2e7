package org.crsaug.common.encoder;

import java.util.List;

/**
 * Turns texts into unit-length vectors whose inner product measures semantic similarity.
 * Implementations are thread-safe: each calling thread gets its own predictor.
 */
public interface TextEncoder extends AutoCloseable {

    /** Identifies model and settings; cached vectors are keyed by it, so it must change when outputs would. */
    String id();

    int dimension();

    /** Encodes in batches; the result has one L2-normalised row per input, in order. */
    float[][] encode(List<String> texts);

    @Override
    void close();
}
