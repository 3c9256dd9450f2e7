package org.crsaug.bench;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Timer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.crsaug.launcher.PipelineRun;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.metrics.CrsMetrics;
import org.crsaug.platform.metrics.StageMeters;

/**
 * A cold {@code crs run} (a fresh state directory: nothing encoded, judged or trained before) broken down by
 * stage, from the services' own meters: the {@code crs_stage_seconds} timers ({@link StageMeters#STEPS}) and,
 * for produce/commit, the transaction time the stream processors' producers count themselves (Kafka's
 * {@code flush-time-ns-total}, {@code txn-send-offsets-time-ns-total} and {@code txn-commit-time-ns-total},
 * which Micrometer's Kafka Streams binder exposes while a service runs; they are sampled twice a second, since
 * a stopped service takes its meters with it). Each stage is printed as its seconds and its share of the run's
 * wall time; stages of different services overlap, so the shares can add up to more than 100%.
 */
final class PipelineStages {

    static final String PRODUCE_COMMIT = "produce/commit";
    /** Cumulative nanosecond totals of the producers that make up a stream task's commit. */
    private static final Set<String> COMMIT_METERS = Set.of("kafka.producer.flush.time.ns.total",
            "kafka.producer.txn.send.offsets.time.ns.total", "kafka.producer.txn.commit.time.ns.total");

    /**
     * Busy seconds per stage (the {@link StageMeters#STEPS} then {@link #PRODUCE_COMMIT}: wall time with at least
     * one thread in it), the same summed over threads, and the wall time.
     */
    record Result(Map<String, Double> seconds, Map<String, Double> threadSeconds, double wallSeconds) {
        double share(String stage) {
            return seconds.get(stage) / wallSeconds;
        }
    }

    private final PrintStream out;

    PipelineStages(PrintStream out) {
        this.out = out;
    }

    /**
     * Runs the pipeline on {@code dataset} in a fresh state directory under {@code <state.dir>/bench}, kept
     * afterwards (its topics and artifacts; delete it when done).
     */
    Result run(CrsConfig config, String dataset, Duration timeout) throws Exception {
        Path state = config.getPath("state.dir").resolve("bench")
                .resolve("pipeline-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(state);
        CrsConfig fresh = config.with("state.dir", state.toAbsolutePath().toString());
        out.printf(Locale.ROOT, "pipeline: cold crs run --dataset %s in %s (judge %s, encoder %s)%n", dataset, state,
                fresh.get("scorer.judge"), fresh.get("retriever.encoder"));
        Map<String, Double> before = stageSeconds();
        Map<String, Double> busyBefore = busySeconds();
        Map<Meter.Id, Double> commitNanos = new ConcurrentHashMap<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-commit-meters");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(() -> sampleCommits(commitNanos), 0, 500, TimeUnit.MILLISECONDS);
        long t0 = System.nanoTime();
        double startUp;
        try (Platform platform = Platform.startExclusive(fresh)) {
            platform.ensureTopics();
            startUp = (System.nanoTime() - t0) / 1e9;
            new PipelineRun(platform, out).run(dataset, List.of(TrainingMode.BASELINE, TrainingMode.TWO_STAGE),
                    timeout);
        } finally {
            sampler.shutdown();
            sampler.awaitTermination(10, TimeUnit.SECONDS);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> after = stageSeconds();
        Map<String, Double> busyAfter = busySeconds();
        Map<String, Double> seconds = new LinkedHashMap<>();
        Map<String, Double> threadSeconds = new LinkedHashMap<>();
        for (String step : StageMeters.STEPS) {
            seconds.put(step, busyAfter.get(step) - busyBefore.get(step));
            threadSeconds.put(step, after.get(step) - before.get(step));
        }
        // the producers' own totals are summed over producers: one commit at a time per stream thread
        double commit = commitNanos.values().stream().mapToDouble(Double::doubleValue).sum() / 1e9;
        seconds.put(PRODUCE_COMMIT, commit);
        threadSeconds.put(PRODUCE_COMMIT, commit);
        Result r = new Result(seconds, threadSeconds, wall);
        out.printf(Locale.ROOT, "  (before the first stage: the embedded broker and registry started and the topics made in"
                + " %.2f s, by the bench's clock)%n", startUp);
        out.printf(Locale.ROOT, "  %-18s %10s %8s %12s%n", "stage", "busy s", "share", "thread s");
        double sum = 0;
        for (Map.Entry<String, Double> e : seconds.entrySet()) {
            sum += e.getValue();
            out.printf(Locale.ROOT, "  %-18s %10.3f %7.1f%% %12.3f%n", e.getKey(), e.getValue(),
                    100 * r.share(e.getKey()), threadSeconds.get(e.getKey()));
        }
        out.printf(Locale.ROOT, "  %-18s %10.2f %7.1f%% (stages overlap: the retriever, scorer, trainer and evaluator"
                + " run side by side)%n", "wall time", wall, 100 * sum / wall);
        return r;
    }

    /** Total seconds of each step's {@code crs_stage_seconds} timer in this process so far. */
    private static Map<String, Double> stageSeconds() {
        Map<String, Double> s = new LinkedHashMap<>();
        for (String step : StageMeters.STEPS) {
            Timer t = CrsMetrics.registry().find("crs.stage.seconds").tag("stage", step).timer();
            s.put(step, t == null ? 0.0 : t.totalTime(TimeUnit.SECONDS));
        }
        return s;
    }

    /** Seconds so far of each step's {@code crs_stage_busy_seconds}: wall time with a thread in the step. */
    private static Map<String, Double> busySeconds() {
        Map<String, Double> s = new LinkedHashMap<>();
        for (String step : StageMeters.STEPS) {
            s.put(step, StageMeters.busySeconds(step));
        }
        return s;
    }

    /** Keeps the highest value seen of every producer commit-time total (they only grow while a client lives). */
    private static void sampleCommits(Map<Meter.Id, Double> nanos) {
        for (Meter m : CrsMetrics.registry().getMeters()) {
            if (COMMIT_METERS.contains(m.getId().getName())) {
                for (Measurement x : m.measure()) {
                    if (Double.isFinite(x.getValue())) {
                        nanos.merge(m.getId(), x.getValue(), Math::max);
                    }
                }
            }
        }
    }
}
