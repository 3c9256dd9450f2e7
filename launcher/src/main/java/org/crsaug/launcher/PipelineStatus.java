package org.crsaug.launcher;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.crsaug.data.state.CheckpointHistory;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.TopicLag;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Evaluation;

/**
 * A one-screen picture of a running pipeline: records per topic, how far behind each consumer group
 * is on it, and the latest checkpoint with its validation and test metrics. One instance keeps its
 * admin client and checkpoint reader between {@link #snapshot}s, so {@code crs status --watch} reads
 * only what is new each frame.
 */
final class PipelineStatus implements AutoCloseable {

    record Snapshot(String bootstrapServers, List<TopicLag.Row> topics, Checkpoint lastCheckpoint,
                    Map<String, Double> testMetrics, String testProtocol, int checkpointCount) {
    }

    private final Platform platform;
    private final Admin admin;
    /** Test metrics shown are those of the headline (first configured) protocol. */
    private final String headlineProtocol;
    /** Opened once both topics exist: a fresh cluster has none until a service creates them. */
    private CheckpointHistory history;

    PipelineStatus(Platform platform) {
        this.platform = platform;
        this.admin = Admin.create(platform.adminProps());
        this.headlineProtocol = platform.config().get("evaluator.protocols").split(",")[0].strip();
    }

    /** One snapshot with a reader that is closed again: {@code crs status} without {@code --watch}. */
    static Snapshot collect(Platform platform) {
        try (PipelineStatus status = new PipelineStatus(platform)) {
            return status.snapshot();
        }
    }

    Snapshot snapshot() {
        List<TopicLag.Row> rows = TopicLag.collect(admin, platform);
        if (history == null && TopicLag.exists(admin, platform, Topics.CHECKPOINTS)
                && TopicLag.exists(admin, platform, Topics.EVALUATIONS)) {
            history = new CheckpointHistory(platform, "crs-status");
        }
        if (history == null) {
            return new Snapshot(platform.bootstrapServers(), rows, null, Map.of(), headlineProtocol, 0);
        }
        history.catchUp(Duration.ofSeconds(30));
        List<CheckpointHistory.Entry> entries = history.entries();
        if (entries.isEmpty()) {
            return new Snapshot(platform.bootstrapServers(), rows, null, Map.of(), headlineProtocol, 0);
        }
        CheckpointHistory.Entry last = entries.get(entries.size() - 1);
        Evaluation ev = last.evaluationsByProtocol().get(headlineProtocol);
        return new Snapshot(platform.bootstrapServers(), rows, last.checkpoint(),
                ev == null ? Map.of() : ev.getMetrics(), headlineProtocol, entries.size());
    }

    @Override
    public void close() {
        if (history != null) {
            history.close();
        }
        admin.close(Duration.ofSeconds(5));
    }

    static String render(Snapshot s) {
        StringBuilder sb = new StringBuilder();
        sb.append("Kafka: ").append(s.bootstrapServers()).append('\n');
        sb.append(String.format(Locale.ROOT, "%-22s %10s  %s%n", "topic", "offsets", "lag by consumer group"));
        for (TopicLag.Row r : s.topics()) {
            StringBuilder lag = new StringBuilder();
            r.lagByGroup().forEach((g, l) -> lag.append(lag.length() == 0 ? "" : ", ").append(g).append('=').append(l));
            sb.append(String.format(Locale.ROOT, "%-22s %10d  %s%n", r.topic(), r.records(),
                    lag.length() == 0 ? "-" : lag));
        }
        Checkpoint cp = s.lastCheckpoint();
        if (cp == null) {
            sb.append("no checkpoint yet (train with: crs run, or the trainer service)\n");
        } else {
            sb.append(String.format(Locale.ROOT, "last of %d checkpoints: %s (%s, %s, round %d, %s)%n",
                    s.checkpointCount(), cp.getCheckpointId(), cp.getMode(), cp.getDataset(), cp.getRound(),
                    Instant.ofEpochMilli(cp.getCreatedAtMs())));
            sb.append("  validation: ").append(metrics(cp.getMetrics(), "validation_recall@")).append('\n');
            // a test recall means little without its protocol: strict removes earlier-mentioned items
            sb.append("  test (").append(s.testProtocol()).append("): ").append(s.testMetrics().isEmpty() ? "not evaluated yet"
                    : metrics(s.testMetrics(), "recall@")).append('\n');
        }
        return sb.toString();
    }

    private static String metrics(Map<String, Double> m, String prefix) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(m).forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                sb.append(sb.length() == 0 ? "" : "  ").append(k).append(String.format(Locale.ROOT, " %.2f%%", 100 * v));
            }
        });
        return sb.length() == 0 ? "(none)" : sb.toString();
    }
}
