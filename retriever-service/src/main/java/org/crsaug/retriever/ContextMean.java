package org.crsaug.retriever;

/**
 * Running mean of the context vectors seen so far, for centring queries. It is seeded from the
 * cached context vectors at start-up and updated with every newly encoded context. Until
 * {@link #MIN_COUNT} contexts have been seen the mean is too noisy and queries pass unchanged.
 * The mean of a few hundred dialogue vectors hardly moves afterwards, so the order in which
 * partitions deliver dialogues changes scores only in far decimals.
 */
public final class ContextMean {

    static final int MIN_COUNT = 200;

    private double[] sum;
    private long count;

    public synchronized void add(float[] v) {
        if (sum == null) {
            sum = new double[v.length];
        }
        for (int d = 0; d < v.length; d++) {
            sum[d] += v[d];
        }
        count++;
    }

    public synchronized long count() {
        return count;
    }

    /** v minus the mean, re-normalised; v itself while fewer than MIN_COUNT contexts are known. */
    public synchronized float[] centre(float[] v) {
        if (count < MIN_COUNT || sum == null || sum.length != v.length) {
            return v;
        }
        float[] out = new float[v.length];
        double norm = 0;
        for (int d = 0; d < v.length; d++) {
            out[d] = (float) (v[d] - sum[d] / count);
            norm += out[d] * out[d];
        }
        float inv = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
        for (int d = 0; d < v.length; d++) {
            out[d] *= inv;
        }
        return out;
    }
}
