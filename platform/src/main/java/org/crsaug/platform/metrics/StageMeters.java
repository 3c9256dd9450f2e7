package org.crsaug.platform.metrics;

import io.micrometer.core.instrument.Counter;

/**
 * {@code crs_stage_records_total{stage,outcome}}: input records a stage has finished, by outcome
 * ({@link #OK} or {@link #DEAD_LETTER}). Prometheus' {@code rate()} over it gives records per second per
 * stage the same way for the stream processors and the plain consumers.
 */
public final class StageMeters {

    public static final String OK = "ok";
    public static final String DEAD_LETTER = "dead_letter";

    private StageMeters() {
    }

    public static Counter records(String stage, String outcome) {
        return Counter.builder("crs.stage.records").description("Input records a stage finished, by outcome")
                .tags("stage", stage, "outcome", outcome).register(CrsMetrics.registry());
    }
}
