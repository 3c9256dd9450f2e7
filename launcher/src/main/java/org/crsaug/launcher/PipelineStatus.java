package org.crsaug.launcher;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Evaluation;

/**
 * A one-screen picture of a running pipeline: records per topic, how far behind each consumer group
 * is on it, and the latest checkpoint with its validation and test metrics.
 */
final class PipelineStatus {

    /**
     * One topic: the offset span currently held (end minus start offsets: the records, plus the commit
     * markers of transactional writers) and lag per consumer group.
     */
    record TopicRow(String topic, long records, Map<String, Long> lagByGroup) {
    }

    record Snapshot(String bootstrapServers, List<TopicRow> topics, Checkpoint lastCheckpoint,
                    Map<String, Double> testMetrics, int checkpointCount) {
    }

    private PipelineStatus() {
    }

    static Snapshot collect(Platform platform) {
        try (Admin admin = Admin.create(platform.adminProps())) {
            List<String> names = new ArrayList<>();
            for (TopicSpec<?> spec : Topics.all()) {
                names.add(platform.config().topic(spec));
            }
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<String> present = names.stream().filter(existing::contains).toList();
            Map<String, TopicDescription> descriptions = admin.describeTopics(present).allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            descriptions.values().forEach(d -> d.partitions().forEach(p -> {
                latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
                earliest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.earliest());
            }));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = admin.listOffsets(latest).all()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start = admin.listOffsets(earliest).all()
                    .get(30, TimeUnit.SECONDS);
            Map<String, Map<String, Long>> lag = new TreeMap<>();
            for (GroupListing g : admin.listGroups().all().get(30, TimeUnit.SECONDS)) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(g.groupId())
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                committed.forEach((tp, om) -> {
                    if (om != null && end.containsKey(tp)) {
                        lag.computeIfAbsent(tp.topic(), t -> new TreeMap<>())
                                .merge(g.groupId(), Math.max(0, end.get(tp).offset() - om.offset()), Long::sum);
                    }
                });
            }
            List<TopicRow> rows = new ArrayList<>();
            for (String topic : present) {
                long records = 0;
                for (TopicPartition tp : end.keySet()) {
                    if (tp.topic().equals(topic)) {
                        records += end.get(tp).offset() - start.get(tp).offset();
                    }
                }
                rows.add(new TopicRow(topic, records, lag.getOrDefault(topic, Map.of())));
            }
            Checkpoint last = null;
            int count = 0;
            Map<String, Evaluation> evaluations = new HashMap<>();
            if (existing.contains(platform.config().topic(Topics.CHECKPOINTS))) {
                List<Checkpoint> all = new ArrayList<>();
                try (TopicFollower<Checkpoint> f = new TopicFollower<>(platform, Topics.CHECKPOINTS, "crs-status")) {
                    f.catchUp(r -> {
                        if (r.value() != null) {
                            all.add(r.value());
                        }
                    }, Duration.ofSeconds(30));
                }
                count = all.size();
                for (Checkpoint cp : all) {
                    if (last == null || cp.getCreatedAtMs() >= last.getCreatedAtMs()) {
                        last = cp;
                    }
                }
            }
            if (last != null && existing.contains(platform.config().topic(Topics.EVALUATIONS))) {
                try (TopicFollower<Evaluation> f = new TopicFollower<>(platform, Topics.EVALUATIONS, "crs-status")) {
                    f.catchUp(r -> {
                        if (r.value() != null) {
                            evaluations.put(r.value().getCheckpointId(), r.value());
                        }
                    }, Duration.ofSeconds(30));
                }
            }
            Evaluation ev = last == null ? null : evaluations.get(last.getCheckpointId());
            return new Snapshot(platform.bootstrapServers(), rows, last, ev == null ? Map.of() : ev.getMetrics(), count);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot read the status from Kafka at " + platform.bootstrapServers() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + platform.bootstrapServers() + " did not answer within 30 s;"
                    + " check --bootstrap-servers", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    static String render(Snapshot s) {
        StringBuilder sb = new StringBuilder();
        sb.append("Kafka: ").append(s.bootstrapServers()).append('\n');
        sb.append(String.format(Locale.ROOT, "%-22s %10s  %s%n", "topic", "offsets", "lag by consumer group"));
        for (TopicRow r : s.topics()) {
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
            sb.append("  test:       ").append(s.testMetrics().isEmpty() ? "not evaluated yet"
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
