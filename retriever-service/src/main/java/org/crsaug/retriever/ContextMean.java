package org.crsaug.retriever;

/**
 * The mean context vector that queries are centred by. It is fixed once, from a sample of training
 * contexts chosen by key ({@link CentringSample}), and never moves afterwards: a running mean made
 * every context's candidates depend on which dialogues a partition happened to deliver first, so two
 * runs on the same data gave different labels. Until it is fixed, queries pass unchanged.
 */
public final class ContextMean {

    /** Fewer sampled contexts than this give too noisy a mean; the sample then waits for more. */
    static final int MIN_COUNT = 200;

    private volatile float[] mean;

    /** Fixes the mean; later calls are refused, so that no context is centred by two different means. */
    public synchronized void fix(float[] value) {
        if (mean != null) {
            throw new IllegalStateException("The context mean is fixed already");
        }
        mean = value.clone();
    }

    public boolean isFixed() {
        return mean != null;
    }

    /** The fixed mean, or null. */
    public float[] value() {
        float[] m = mean;
        return m == null ? null : m.clone();
    }

    /** v minus the mean, re-normalised; v itself while no mean is fixed. */
    public float[] centre(float[] v) {
        float[] m = mean;
        if (m == null || m.length != v.length) {
            return v;
        }
        float[] out = new float[v.length];
        double norm = 0;
        for (int d = 0; d < v.length; d++) {
            out[d] = v[d] - m[d];
            norm += out[d] * out[d];
        }
        float inv = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
        for (int d = 0; d < v.length; d++) {
            out[d] *= inv;
        }
        return out;
    }
}
