package org.crsaug.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.TopicLag;

/**
 * One row per sample interval of a soak: what was posted, acknowledged and labelled so far, the measured
 * {@code crs up}'s heap after a full collection, resident memory, open files, threads and CPU, the
 * end-to-end times of the dialogues completed in the interval, the checkpoints published in it and each
 * consumer group's lag; the series are kept for the growth trends at the end.
 */
final class SoakSampler {

    /** A resource sample: seconds since the soak started and the reading. */
    record Point(double seconds, JvmProbe.Reading reading) {
    }

    private final Platform platform;
    private final Admin admin;
    private final JvmProbe probe;
    private final HttpDialoguePoster poster;
    private final SoakLedger ledger;
    private final StageWatch watch;
    private final PrintStream out;
    /** When the baseline row was taken: the soak's clock, 0 before. */
    private long started;
    private final List<Point> points = new ArrayList<>();
    private long lastNanos;
    private long lastRead;
    private long lastCpu;

    SoakSampler(Platform platform, Admin admin, JvmProbe probe, HttpDialoguePoster poster, SoakLedger ledger,
            StageWatch watch, PrintStream out) {
        this.platform = platform;
        this.admin = admin;
        this.probe = probe;
        this.poster = poster;
        this.ledger = ledger;
        this.watch = watch;
        this.out = out;
        this.lastNanos = System.nanoTime();
        this.lastCpu = probe.cpuNanos();
        this.lastRead = System.nanoTime();
    }

    void printHeader() {
        out.println("  time   posted   acked labelled backlog heap-after-GC      RSS   fds threads  cores"
                + "  e2e p50   p95 (dialogues)  ckpts  consumer lag by group (records)");
    }

    /** The row before the first post (at 0:00); the soak's clock starts once it is taken. */
    synchronized void baseline() {
        sample();
        started = lastRead;
        lastNanos = lastRead;
    }

    /** Nanos when the soak's clock started. */
    synchronized long started() {
        return started;
    }

    /** Takes and prints one row: the figures at its end, the latencies and checkpoints of its interval. */
    synchronized void sample() {
        long now = System.nanoTime();
        List<Double> e2e = ledger.completedSinceLastCall();
        JvmProbe.Reading r = probe.read();
        // CPU from the end of the last reading to the end of this one, over the same wall time: each interval
        // holds one forced collection
        long read = System.nanoTime();
        double cores = (r.cpuNanos() - lastCpu) / (double) Math.max(1, read - lastRead);
        long checkpoints = watch.checkpointsSeenBetween(lastNanos, now);
        double seconds = started == 0 ? 0 : (now - started) / 1e9;
        points.add(new Point(seconds, r));
        out.printf(Locale.ROOT, "%6s %8d %7d %8d %7d %9.1f MiB %8s %5d %7d %6.2f %8s %5s (%d) %6d  %s%n",
                clock(seconds), poster.posted(), poster.acknowledged(), ledger.totals().labelledDialogues(),
                ledger.backlog(), r.heapAfterGcBytes() / 1048576.0, r.rssBytes() < 0 ? "n/a"
                        : String.format(Locale.ROOT, "%.0f MiB", r.rssBytes() / 1048576.0),
                r.openFiles(), r.threads(), cores, e2e.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f s",
                        Stats.percentile(e2e, 50)), e2e.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f s",
                        Stats.percentile(e2e, 95)), e2e.size(), checkpoints, lagByGroup());
        out.flush();
        lastNanos = now;
        lastRead = read;
        lastCpu = r.cpuNanos();
    }

    synchronized List<Point> points() {
        return List.copyOf(points);
    }

    /** Lag of every consumer group on the broker, summed over its topics. */
    private String lagByGroup() {
        Map<String, Long> lag = new TreeMap<>();
        TopicLag.collect(admin, platform).forEach(row -> row.lagByGroup().forEach((g, l) -> lag.merge(g, l, Long::sum)));
        return lag.isEmpty() ? "(no groups)" : lag.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
