package org.crsaug.model.eval;

import java.util.SplittableRandom;

/**
 * Paired bootstrap over test pairs: is a model's Recall@k different from a baseline's on the same
 * pairs? Resampling pairs (rather than comparing two averages) accounts for both models facing the
 * same easy and hard contexts.
 */
public final class Significance {

    /** Mean difference (model minus baseline), its 95% interval and a two-sided p-value. */
    public record Result(double difference, double lower95, double upper95, double pValue, int resamples) {

        /** Whether the 95% interval holds zero: then the data cannot tell this difference from none. */
        public boolean includesZero() {
            return lower95 <= 0 && upper95 >= 0;
        }
    }

    private Significance() {
    }

    /**
     * @param model    per-pair 0/1 hits of the model
     * @param baseline per-pair 0/1 hits of the baseline on the same pairs, same order
     */
    public static Result pairedBootstrap(double[] model, double[] baseline, int resamples, long seed) {
        if (model.length != baseline.length) {
            throw new IllegalArgumentException("Paired samples differ in length: " + model.length + " vs "
                    + baseline.length);
        }
        int n = model.length;
        if (n == 0) {
            throw new IllegalArgumentException("No pairs to compare");
        }
        double[] diff = new double[n];
        double observed = 0;
        for (int i = 0; i < n; i++) {
            diff[i] = model[i] - baseline[i];
            observed += diff[i];
        }
        observed /= n;
        SplittableRandom random = new SplittableRandom(seed);
        double[] means = new double[resamples];
        int atOrBelowZero = 0;
        int atOrAboveZero = 0;
        for (int b = 0; b < resamples; b++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += diff[random.nextInt(n)];
            }
            means[b] = sum / n;
            if (means[b] <= 0) {
                atOrBelowZero++;
            }
            if (means[b] >= 0) {
                atOrAboveZero++;
            }
        }
        java.util.Arrays.sort(means);
        double p = Math.min(1.0, 2.0 * Math.min(atOrBelowZero, atOrAboveZero) / resamples);
        return new Result(observed, means[(int) Math.floor(0.025 * (resamples - 1))],
                means[(int) Math.ceil(0.975 * (resamples - 1))], p, resamples);
    }

    /**
     * The interval in words, for a person who reads a lift and would otherwise take noise for a change.
     *
     * @param over what was resampled, as the reader should see it, e.g. "161 test pairs" or "5 seeds"
     */
    public static String verdict(Result r, String over) {
        if (r.includesZero()) {
            return "not distinguishable from no change on " + over;
        }
        return (r.difference() > 0 ? "an increase" : "a decrease") + ": the 95% interval on " + over
                + " excludes zero";
    }

    /** 1.0 where the pair's rank is inside the top k. */
    public static double[] hits(int[] ranks, int k) {
        double[] out = new double[ranks.length];
        for (int i = 0; i < ranks.length; i++) {
            out[i] = ranks[i] < k ? 1.0 : 0.0;
        }
        return out;
    }
}
