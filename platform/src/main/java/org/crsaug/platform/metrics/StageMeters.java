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

    /** Records the time since {@code startedNanos} ({@link System#nanoTime()}) on {@code step}'s timer. */
    public static void recordSince(String step, long startedNanos) {
        time(step).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }
}
