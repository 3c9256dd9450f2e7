package org.crsaug.common.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Evaluation;

/**
 * Gauges for what the pipeline produces, one time series per checkpoint and metric, so a dashboard can
 * plot validation and test recall (and training time) of every checkpoint side by side.
 */
public final class PipelineMeters {

    /** Holds each gauge's value; gauges only keep weak references, so the values live here. */
    private static final Map<String, AtomicLong> VALUES = new ConcurrentHashMap<>();

    private PipelineMeters() {
    }

    /** {@code crs_checkpoint_metric{checkpoint,mode,dataset,metric}}: validation metrics, train_seconds, counts. */
    public static void recordCheckpoint(Checkpoint cp) {
        cp.getMetrics().forEach((metric, value) -> set("crs.checkpoint.metric", Tags.of("checkpoint",
                cp.getCheckpointId(), "mode", cp.getMode(), "dataset", cp.getDataset(), "metric", metric), value));
    }

    /** {@code crs_evaluation_metric{checkpoint,mode,dataset,protocol,metric}}: test recall and coverage. */
    public static void recordEvaluation(Evaluation e) {
        e.getMetrics().forEach((metric, value) -> set("crs.evaluation.metric", Tags.of("checkpoint",
                e.getCheckpointId(), "mode", e.getMode(), "dataset", e.getDataset(), "protocol", e.getProtocol(),
                "metric", metric), value));
    }

    private static void set(String name, Tags tags, Double value) {
        String key = name + tags;
        AtomicLong bits = VALUES.computeIfAbsent(key, k -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder(name, holder, h -> Double.longBitsToDouble(h.get())).tags(tags)
                    .register(CrsMetrics.registry());
            return holder;
        });
        bits.set(Double.doubleToLongBits(value == null ? Double.NaN : value));
    }
}
