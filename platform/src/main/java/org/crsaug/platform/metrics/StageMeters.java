package org.crsaug.platform.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Per-stage meters shared by the stream processors and the plain consumers.
 *
 * <p>{@code crs_stage_records_total{stage,outcome}}: input records a stage has finished, by outcome
 * ({@link #OK} or {@link #DEAD_LETTER}). Prometheus' {@code rate()} over it gives records per second per
 * stage the same way for every service.
 *
 * <p>{@code crs_stage_seconds{stage}}: time spent in one step of the pipeline's work (the {@link #STEPS}),
 * summed over every thread that did it. Steps of different services run at the same time (the scorer
 * judges while the retriever encodes), so their sums can add up to more than the wall time of a run;
 * {@code crs bench pipeline} prints each as a share of the run's wall time.
 *
 * <p>{@code crs_stage_busy_seconds{stage}}: wall time during which at least one thread was in the step. Where
 * several threads do one step at once (the retriever's stream threads, one per partition, each encoding its
 * dialogue's contexts), the summed time exceeds the time the step held the run up; this one does not.
 */
public final class StageMeters {

    public static final String OK = "ok";
    public static final String DEAD_LETTER = "dead_letter";

    /** Reading the dataset files and publishing (with the producers' flush) what changed. */
    public static final String INGEST = "ingest";
    /** Encoding item descriptions that had no cached vector. */
    public static final String ITEM_ENCODING = "item-encoding";
    /** Encoding dialogue contexts that had no cached vector. */
    public static final String CONTEXT_ENCODING = "context-encoding";
    /** Asking the candidate source for each context's top-k (the exact search and its fusion). */
    public static final String SEARCH = "search";
    /** One context's candidates judged (the judge's own call, LLM or not). */
    public static final String JUDGING = "judging";
    /** A training round, every mode, its checkpoints published. */
    public static final String TRAINING = "training";
    /** One checkpoint evaluated under every protocol. */
    public static final String EVALUATION = "evaluation";

    /** The steps {@link #time} is recorded for, in the order the pipeline first reaches them. */
    public static final List<String> STEPS = List.of(INGEST, ITEM_ENCODING, CONTEXT_ENCODING, SEARCH, JUDGING,
            TRAINING, EVALUATION);

    private StageMeters() {
    }

    public static Counter records(String stage, String outcome) {
        return Counter.builder("crs.stage.records").description("Input records a stage finished, by outcome")
                .tags("stage", stage, "outcome", outcome).register(CrsMetrics.registry());
    }

    /** The {@code crs_stage_seconds} timer of one of the {@link #STEPS}. */
    public static Timer time(String step) {
        return Timer.builder("crs.stage.seconds").description("Time spent in one step of the pipeline, all threads summed")
                .tags("stage", step).register(CrsMetrics.registry());
    }

    /**
     * Starts one thread's stretch of work on {@code step}: close the span when the work ends (try-with-resources)
     * and call {@link Span#record} first where it succeeded, which puts its time on the step's timer.
     */
    public static Span begin(String step) {
        Busy busy = BUSY.computeIfAbsent(step, StageMeters::register);
        busy.enter();
        return new Span(step, busy, System.nanoTime());
    }

    /** Seconds so far during which at least one thread was in {@code step} (0 before the first span). */
    public static double busySeconds(String step) {
        Busy busy = BUSY.get(step);
        return busy == null ? 0 : busy.seconds();
    }

    private static final java.util.Map<String, Busy> BUSY = new java.util.concurrent.ConcurrentHashMap<>();

    private static Busy register(String step) {
        Busy busy = new Busy();
        io.micrometer.core.instrument.FunctionCounter.builder("crs.stage.busy.seconds", busy, Busy::seconds)
                .description("Wall time during which at least one thread was in the step").tags("stage", step)
                .register(CrsMetrics.registry());
        return busy;
    }

    /** One thread's work on a step, from {@link #begin} to {@link #close}. */
    public static final class Span implements AutoCloseable {
        private final String step;
        private final Busy busy;
        private final long started;
        private boolean closed;

        private Span(String step, Busy busy, long started) {
            this.step = step;
            this.busy = busy;
            this.started = started;
        }

        /** The work succeeded: its time since {@link #begin} goes on the step's timer, and the span ends. */
        public void record() {
            if (!closed) {
                time(step).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                close();
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                busy.leave();
            }
        }
    }

    /** The union of the spans of one step over time: open while any thread is inside one. */
    private static final class Busy {
        private int active;
        private long since;
        private long totalNanos;

        synchronized void enter() {
            if (active++ == 0) {
                since = System.nanoTime();
            }
        }

        synchronized void leave() {
            if (--active == 0) {
                totalNanos += System.nanoTime() - since;
            }
        }

        synchronized double seconds() {
            return (totalNanos + (active > 0 ? System.nanoTime() - since : 0)) / 1e9;
        }
    }
}
