package org.crsaug.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * Whether a resource of a long-running process grows: the least-squares slope of its samples over the
 * second half of the run (the first half holds warm-up: JIT, caches filling, the first rounds), as growth
 * per hour. It "grows" when an hour at that slope would add more than {@link #SHARE_PER_HOUR} of its mean
 * over that half. A second half shorter than {@link #MIN_SPAN} is not judged: over a few minutes the slope
 * of a sawing figure (threads, sockets, a collection's leftovers) says little, extrapolated to an hour.
 */
record GrowthTrend(String what, double perHour, double mean, int samples, double spanSeconds) {

    static final double SHARE_PER_HOUR = 0.05;
    static final Duration MIN_SPAN = Duration.ofMinutes(10);

    /**
     * @param seconds when each sample was taken, from the start of the run
     * @param values  the samples
     * @param runSeconds the length of the run; samples from its middle on are the second half
     */
    static GrowthTrend of(String what, double[] seconds, double[] values, double runSeconds) {
        int from = 0;
        while (from < seconds.length && seconds[from] < runSeconds / 2) {
            from++;
        }
        double[] t = Arrays.copyOfRange(seconds, from, seconds.length);
        double[] v = Arrays.copyOfRange(values, from, values.length);
        double span = t.length < 2 ? 0 : t[t.length - 1] - t[0];
        return new GrowthTrend(what, Stats.slope(t, v) * 3600, Arrays.stream(v).average().orElse(0), t.length, span);
    }

    boolean judged() {
        return samples >= 3 && spanSeconds >= MIN_SPAN.toSeconds();
    }

    boolean grows() {
        return judged() && perHour > SHARE_PER_HOUR * mean;
    }

    /** One line: the slope per hour, the mean, and the verdict or why there is none. */
    String describe(DoubleFunction<String> unit) {
        String verdict = !judged() ? String.format(Locale.ROOT, "not judged: the second half has %d samples over"
                + " %.0f s (a verdict needs at least 3 spanning %d min; run --minutes %d or more)", samples, spanSeconds,
                MIN_SPAN.toMinutes(), 2 * MIN_SPAN.toMinutes())
                : grows() ? String.format(Locale.ROOT, "GROWS (more than %.0f%% of its mean per hour)", 100 * SHARE_PER_HOUR)
                : String.format(Locale.ROOT, "flat (under %.0f%% of its mean per hour)", 100 * SHARE_PER_HOUR);
        return String.format(Locale.ROOT, "%s: %s%s per hour over the second half (mean %s, %d samples) -> %s", what,
                perHour >= 0 ? "+" : "-", unit.apply(Math.abs(perHour)), unit.apply(mean), samples, verdict);
    }
}
