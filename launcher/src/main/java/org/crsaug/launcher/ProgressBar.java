package org.crsaug.launcher;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One stage's progress line: a bar, counts and rates. On a terminal the line is redrawn in place; when
 * output goes to a file or pipe a line is printed only at each quarter, so logs stay short.
 */
final class ProgressBar {

    private static final int WIDTH = 24;

    /** One counted quantity on the line, e.g. contexts encoded. */
    record Counter(String label, long done, long total) {
    }

    private final PrintStream out;
    private final String stage;
    private final boolean interactive;
    private final long startedNanos = System.nanoTime();
    private int lastQuarter = -1;
    private String lastLine = "";
    private String condition = "";

    ProgressBar(PrintStream out, String stage, boolean interactive) {
        this.out = out;
        this.stage = stage;
        this.interactive = interactive;
    }

    /** Redraws with these counters; the bar shows their combined share done. */
    void update(Counter... counters) {
        long done = 0;
        long total = 0;
        double seconds = Math.max(1e-3, (System.nanoTime() - startedNanos) / 1e9);
        StringBuilder counts = new StringBuilder();
        for (Counter c : counters) {
            done += Math.min(c.done(), c.total());
            total += c.total();
            // a rate over less than a second of work says nothing
            counts.append(seconds < 1 ? String.format(Locale.ROOT, "  %s %d/%d", c.label(), c.done(), c.total())
                    : String.format(Locale.ROOT, "  %s %d/%d (%.1f/s)", c.label(), c.done(), c.total(),
                    c.done() / seconds));
        }
        double share = total == 0 ? 0 : (double) done / total;
        draw(share, counts.toString(), seconds);
    }

    /**
     * A passing condition of the stage ("scorer: paused: ..."), shown after the counts until cleared with "".
     * Without a terminal each change is printed on a line of its own, so a log shows when it began and ended.
     */
    void condition(String now) {
        String next = now == null ? "" : now;
        if (!interactive && !next.equals(condition)) {
            out.println(stage + " " + (next.isEmpty() ? "going again after: " + condition : next));
        }
        condition = next;
    }

    /** For a stage without counts: a bar that only shows time passing. */
    void elapsed(String what) {
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        if (interactive) {
            out.print(String.format(Locale.ROOT, "\r%s  %s %.0f s   ", stage, what, seconds));
            out.flush();
        }
    }

    private void draw(double share, String counts, double seconds) {
        int filled = (int) Math.round(share * WIDTH);
        String line = String.format(Locale.ROOT, "%s [%s%s] %3.0f%%%s  %.0f s", stage, "#".repeat(filled),
                ".".repeat(WIDTH - filled), 100 * share, counts, seconds)
                + (condition.isEmpty() ? "" : "  | " + condition);
        if (interactive) {
            // pad so a shorter line fully covers the previous one
            out.print("\r" + line + " ".repeat(Math.max(0, lastLine.length() - line.length())));
            out.flush();
        } else {
            int quarter = (int) Math.floor(share * 4);
            if (quarter != lastQuarter) {
                out.println(line);
                lastQuarter = quarter;
            }
        }
        lastLine = line;
    }

    /** Ends the line with a closing summary. */
    void finish(String summary) {
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        String line = String.format(Locale.ROOT, "%s done in %.1f s: %s", stage, seconds, summary);
        if (interactive) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLine.length() - line.length())) + "\n");
        } else {
            out.println(line);
        }
        out.flush();
    }
}
