package org.crsaug.launcher;

import java.util.List;
import java.util.Locale;

/** Renders evaluation rows as a fixed-width table with recall in percent, as papers report it. */
final class ResultTable {

    private static final String[] KEYS = {"recall@1", "recall@10", "recall@50"};

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
            }
        }
        return sb.toString();
    }

    private static double diff(PipelineRun.Row r, PipelineRun.Row base, int k) {
        return 100 * (r.metrics().getOrDefault(KEYS[k], Double.NaN) - base.metrics().getOrDefault(KEYS[k], Double.NaN));
    }
}
