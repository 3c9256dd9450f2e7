package org.crsaug.bench;

import java.util.Arrays;
import java.util.List;

/** Medians and percentiles of the benchmarks' samples, and rounding for printing the runs. */
final class Stats {

    private Stats() {
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double median(List<Double> v) {
        return median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Nearest-rank percentile (p in (0, 100]) of a non-empty sample: a value that was measured. */
    static double percentile(List<Double> v, double p) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    static double[] round1(double[] v) {
        return Arrays.stream(v).map(x -> Math.round(x * 10) / 10.0).toArray();
    }

    static long[] round(double[] v) {
        return Arrays.stream(v).mapToLong(Math::round).toArray();
    }
}
