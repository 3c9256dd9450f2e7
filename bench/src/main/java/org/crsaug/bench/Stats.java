package org.crsaug.bench;

import java.util.Arrays;
import java.util.List;

/** Medians, percentiles and trends of the benchmarks' samples, and rounding for printing the runs. */
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

    /**
     * Least-squares slope of y over x (units of y per unit of x); 0 for fewer than two points or when every
     * x is the same. Used for "does this grow": a backlog over a step, a process's memory over a soak.
     */
    static double slope(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return 0;
        }
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }

    static double[] round1(double[] v) {
        return Arrays.stream(v).map(x -> Math.round(x * 10) / 10.0).toArray();
    }

    static long[] round(double[] v) {
        return Arrays.stream(v).mapToLong(Math::round).toArray();
    }
}
