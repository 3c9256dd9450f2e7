package org.crsaug.platform.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Evaluation;

/**
 * Gauges for what the pipeline produces, one time series per checkpoint and metric, so a dashboard can
 * plot validation and test recall (and training time) of every checkpoint side by side. Only the
 * {@link #KEPT_CHECKPOINTS} most recently recorded checkpoints keep their series: a long-running
 * trainer publishes a checkpoint per round, and an ever-growing label set would burden Prometheus.
 */
public final class PipelineMeters {

    /** Checkpoints whose series are kept per metric family; older ones are removed from the registry. */
    public static final int KEPT_CHECKPOINTS = 20;

    /** Holds each gauge's value; gauges only keep weak references, so the values live here. */
    private static final Map<String, AtomicLong> VALUES = new ConcurrentHashMap<>();
    /** Per metric family: checkpoint id to its gauges, oldest first. */
    private static final Map<String, LinkedHashMap<String, List<Meter.Id>>> BY_CHECKPOINT = new LinkedHashMap<>();

    private PipelineMeters() {
    }

    /** {@code crs_checkpoint_metric{checkpoint,mode,dataset,metric}}: validation metrics, train_seconds, counts. */
    public static void recordCheckpoint(Checkpoint cp) {
        cp.getMetrics().forEach((metric, value) -> setForCheckpoint("crs.checkpoint.metric", cp.getCheckpointId(),
                Tags.of("checkpoint", cp.getCheckpointId(), "mode", cp.getMode(), "dataset", cp.getDataset(),
                        "metric", metric), value));
    }

    /** {@code crs_evaluation_metric{checkpoint,mode,dataset,protocol,metric}}: test recall and coverage. */
    public static void recordEvaluation(Evaluation e) {
        e.getMetrics().forEach((metric, value) -> setForCheckpoint("crs.evaluation.metric", e.getCheckpointId(),
                Tags.of("checkpoint", e.getCheckpointId(), "mode", e.getMode(), "dataset", e.getDataset(),
                        "protocol", e.getProtocol(), "metric", metric), value));
    }

    /**
     * {@code crs_trainer_epoch_loss{dataset,mode,stage,epoch}}: the mean training loss of every epoch of
     * the model trained last for this dataset and mode. Tagged by epoch rather than checkpoint, so the
     * series count is bounded by the configured epochs and a dashboard shows the latest loss curve.
     */
    public static void recordEpochLoss(String dataset, String mode, String stage, int epoch, double trainLoss) {
        set("crs.trainer.epoch.loss", Tags.of("dataset", dataset, "mode", mode, "stage", stage,
                "epoch", Integer.toString(epoch)), trainLoss);
    }

    /** {@code crs_trainer_round_seconds{dataset}}: wall time of whole training rounds (all modes). */
    public static void recordRound(String dataset, Duration took) {
        Timer.builder("crs.trainer.round.seconds").description("Wall time of a training round, every mode included")
                .tags("dataset", dataset).register(CrsMetrics.registry()).record(took);
    }

    private static synchronized void setForCheckpoint(String name, String checkpointId, Tags tags, Double value) {
        LinkedHashMap<String, List<Meter.Id>> checkpoints = BY_CHECKPOINT.computeIfAbsent(name,
                k -> new LinkedHashMap<>());
        List<Meter.Id> ids = checkpoints.computeIfAbsent(checkpointId, k -> new ArrayList<>());
        Meter.Id id = set(name, tags, value);
        if (!ids.contains(id)) {
            ids.add(id);
        }
        while (checkpoints.size() > KEPT_CHECKPOINTS) {
            String oldest = checkpoints.keySet().iterator().next();
            for (Meter.Id old : checkpoints.remove(oldest)) {
                CrsMetrics.registry().remove(old);
                VALUES.remove(key(old.getName(), Tags.of(old.getTags())));
            }
        }
    }

    private static Meter.Id set(String name, Tags tags, Double value) {
        String key = key(name, tags);
        AtomicLong bits = VALUES.computeIfAbsent(key, k -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder(name, holder, h -> Double.longBitsToDouble(h.get())).tags(tags)
                    .register(CrsMetrics.registry());
            return holder;
        });
        bits.set(Double.doubleToLongBits(value == null ? Double.NaN : value));
        return new Meter.Id(name, tags, null, null, Meter.Type.GAUGE);
    }

    private static String key(String name, Tags tags) {
        return name + tags;
    }
}
