package org.crsaug.serve;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.crsaug.data.state.CheckpointHistory;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Evaluation;
import org.crsaug.schema.OffsetRange;

/**
 * {@code GET /api/checkpoints}: every published checkpoint, oldest first, with its round, mode, parent,
 * a summary of its lineage (the offset ranges it was trained from, per topic), its validation metrics
 * (from the checkpoint record) and its test metrics per protocol (joined from the evaluations topic;
 * empty until the evaluator has reported).
 */
final class CheckpointRoutes {

    private static final String VALIDATION_PREFIX = "validation_";

    /** Offset ranges of one input topic of a checkpoint; {@code records} is the span they cover. */
    record Lineage(String topic, long records, List<Range> ranges) {
    }

    record Range(int partition, long fromOffset, long untilOffset) {
    }

    /** A test evaluation; {@code read} is what it read (the test dialogues among it), so it can be reproduced. */
    record TestResult(String split, int pairs, String evaluatedAt, Map<String, Double> metrics, List<Lineage> read) {
    }

    record Summary(String checkpointId, int round, String mode, String stage, String dataset, String backbone,
                   String createdAt, long createdAtMs, String parentCheckpointId, String codeVersion,
                   List<Lineage> lineage, Map<String, Double> validation, Map<String, Double> training,
                   Map<String, TestResult> test) {
    }

    private CheckpointRoutes() {
    }

    static void add(RoutesConfig routes, PipelineViews views) {
        routes.get("/api/checkpoints", ctx -> list(ctx, views));
    }

    private static void list(Context ctx, PipelineViews views) {
        ctx.json(Map.of("checkpoints", summaries(views.checkpoints())));
    }

    static List<Summary> summaries(CheckpointHistory history) {
        List<Summary> out = new ArrayList<>();
        for (CheckpointHistory.Entry e : history.entries()) {
            out.add(summary(e));
        }
        return out;
    }

    static Summary summary(CheckpointHistory.Entry entry) {
        Checkpoint cp = entry.checkpoint();
        List<Lineage> lineage = lineage(cp.getInputRanges());
        // the checkpoint's own metrics are validation results plus facts of the training (seconds, counts)
        Map<String, Double> validation = new TreeMap<>();
        Map<String, Double> training = new TreeMap<>();
        cp.getMetrics().forEach((k, v) -> (k.startsWith(VALIDATION_PREFIX) ? validation : training).put(k, v));
        Map<String, TestResult> test = new LinkedHashMap<>();
        entry.evaluationsByProtocol().forEach((protocol, ev) -> test.put(protocol, testResult(ev)));
        return new Summary(cp.getCheckpointId(), cp.getRound(), cp.getMode(), cp.getStage(), cp.getDataset(),
                cp.getBackbone(), Instant.ofEpochMilli(cp.getCreatedAtMs()).toString(), cp.getCreatedAtMs(),
                cp.getParentCheckpointId(), cp.getCodeVersion(), lineage, validation, training, test);
    }

    private static TestResult testResult(Evaluation ev) {
        return new TestResult(ev.getSplit(), ev.getPairs(), Instant.ofEpochMilli(ev.getEvaluatedAtMs()).toString(),
                new TreeMap<>(ev.getMetrics()), lineage(ev.getInputRanges()));
    }

    /** Offset ranges grouped by topic, partitions in order. */
    private static List<Lineage> lineage(List<OffsetRange> offsetRanges) {
        Map<String, List<Range>> byTopic = new TreeMap<>();
        for (OffsetRange r : offsetRanges) {
            byTopic.computeIfAbsent(r.getTopic(), t -> new ArrayList<>())
                    .add(new Range(r.getPartition(), r.getFromOffset(), r.getUntilOffset()));
        }
        List<Lineage> lineage = new ArrayList<>();
        byTopic.forEach((topic, ranges) -> {
            ranges.sort(java.util.Comparator.comparingInt(Range::partition));
            lineage.add(new Lineage(topic, ranges.stream().mapToLong(r -> r.untilOffset() - r.fromOffset()).sum(),
                    ranges));
        });
        return lineage;
    }
}
