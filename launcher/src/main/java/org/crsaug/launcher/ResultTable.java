package org.crsaug.launcher;

import java.util.List;
import java.util.Locale;
import org.crsaug.model.eval.Significance;

/**
 * Renders evaluation rows as a fixed-width table with recall in percent, as papers report it, and each
 * lift over the first row with its 95% paired-bootstrap interval over test pairs and what that interval
 * says in words: on a test split of a few hundred pairs a lift of one or two points is often noise.
 */
final class ResultTable {

    private static final String[] KEYS = {"recall@1", "recall@10", "recall@50"};
    private static final int[] CUTOFFS = {1, 10, 50};
    /** Resamples of the lift's interval; enough for stable 2.5% and 97.5% quantiles. */
    static final int BOOTSTRAP_RESAMPLES = 2000;

    private ResultTable() {
    }

    static String render(List<PipelineRun.Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-12s %8s %8s %8s %7s  %s%n", "mode", "R@1", "R@10", "R@50", "pairs",
                "checkpoint"));
        for (PipelineRun.Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-12s %8.2f %8.2f %8.2f %7.0f  %s%n", r.mode(),
                    100 * r.metrics().getOrDefault(KEYS[0], Double.NaN),
                    100 * r.metrics().getOrDefault(KEYS[1], Double.NaN),
                    100 * r.metrics().getOrDefault(KEYS[2], Double.NaN),
                    r.metrics().getOrDefault("pairs", Double.NaN), r.checkpointId()));
        }
        if (rows.size() >= 2) {
            PipelineRun.Row base = rows.get(0);
            for (PipelineRun.Row r : rows.subList(1, rows.size())) {
                sb.append(String.format(Locale.ROOT, "%-12s %+8.2f %+8.2f %+8.2f%n", "lift " + r.mode().substring(0,
                        Math.min(7, r.mode().length())), diff(r, base, 0), diff(r, base, 1), diff(r, base, 2)));
                sb.append(intervals(r, base));
            }
            if (!intervals(rows.get(1), base).isEmpty()) {
                // one trained model per mode: a reader should not take an interval over pairs for one over trainings
                sb.append("  intervals are over test pairs for one training seed; models trained again with other seeds"
                        + " move too: `crs experiment --seeds 5` resamples both\n");
            }
        }
        return sb.toString();
    }

    /**
     * One line per cut-off: the lift, its interval and the words. Rows whose ranks are missing or not aligned
     * (different test pairs) get no interval, since a paired bootstrap needs the same pairs on both sides.
     */
    static String intervals(PipelineRun.Row model, PipelineRun.Row base) {
        int n = model.ranks().length;
        if (n == 0 || base.ranks().length != n) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < CUTOFFS.length; i++) {
            int k = CUTOFFS[i];
            Significance.Result s = Significance.pairedBootstrap(Significance.hits(model.ranks(), k),
                    Significance.hits(base.ranks(), k), BOOTSTRAP_RESAMPLES, 17L + k);
            sb.append(String.format(Locale.ROOT, "  %-5s %+6.2f  95%% interval [%+.2f, %+.2f]  %s%n", "R@" + k,
                    100 * s.difference(), 100 * s.lower95(), 100 * s.upper95(),
                    Significance.verdict(s, n + " test pairs")));
        }
        return sb.toString();
    }

    private static double diff(PipelineRun.Row r, PipelineRun.Row base, int k) {
        return 100 * (r.metrics().getOrDefault(KEYS[k], Double.NaN) - base.metrics().getOrDefault(KEYS[k], Double.NaN));
    }
}
