package org.crsaug.platform.topic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.crsaug.platform.kafka.Platform;

/**
 * How full every pipeline topic is and how far behind each consumer group is on it, asked of the broker
 * through the admin API. {@code crs status} and the serve dashboard both show this, so it is computed here
 * once. Groups are all the broker knows (the Streams applications and plain consumers alike); readers
 * without a group (the trainer's whole-topic followers) have no lag to show.
 */
public final class TopicLag {

    private static final long TIMEOUT_S = 30;

    /**
     * One topic: the offset span currently held (end minus start offsets: the records, plus the commit
     * markers of transactional writers) and lag per consumer group (end offset minus committed offset,
     * summed over partitions).
     */
    public record Row(String topic, long records, Map<String, Long> lagByGroup) {
    }

    private TopicLag() {
    }

    /**
     * Every pipeline topic that exists, in {@link Topics#all()} order; missing topics are left out.
     *
     * @throws IllegalStateException naming the broker when it cannot be asked
     */
    public static List<Row> collect(Admin admin, Platform platform) {
        List<String> names = new ArrayList<>();
        for (TopicSpec<?> spec : Topics.all()) {
            names.add(platform.config().topic(spec));
        }
        Set<String> existing = get(admin.listTopics().names(), platform);
        List<String> present = names.stream().filter(existing::contains).toList();
        Map<String, TopicDescription> descriptions = get(admin.describeTopics(present).allTopicNames(), platform);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        descriptions.values().forEach(d -> d.partitions().forEach(p -> {
            latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
            earliest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.earliest());
        }));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = get(admin.listOffsets(latest).all(), platform);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start = get(admin.listOffsets(earliest).all(),
                platform);
        Map<String, Map<String, Long>> lag = new TreeMap<>();
        for (GroupListing g : get(admin.listGroups().all(), platform)) {
            Map<TopicPartition, OffsetAndMetadata> committed = get(admin.listConsumerGroupOffsets(g.groupId())
                    .partitionsToOffsetAndMetadata(), platform);
            committed.forEach((tp, om) -> {
                if (om != null && end.containsKey(tp)) {
                    lag.computeIfAbsent(tp.topic(), t -> new TreeMap<>())
                            .merge(g.groupId(), Math.max(0, end.get(tp).offset() - om.offset()), Long::sum);
                }
            });
        }
        List<Row> rows = new ArrayList<>();
        for (String topic : present) {
            long records = 0;
            for (TopicPartition tp : end.keySet()) {
                if (tp.topic().equals(topic)) {
                    records += end.get(tp).offset() - start.get(tp).offset();
                }
            }
            rows.add(new Row(topic, records, lag.getOrDefault(topic, Map.of())));
        }
        return rows;
    }

    /** Whether the topic exists on the broker (a fresh cluster has none until a service creates them). */
    public static boolean exists(Admin admin, Platform platform, TopicSpec<?> spec) {
        return get(admin.listTopics().names(), platform).contains(platform.config().topic(spec));
    }

    /** One admin answer, with the broker named in the error a person sees when it does not come. */
    private static <T> T get(KafkaFuture<T> answer, Platform platform) {
        try {
            return answer.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot read the topic offsets from Kafka at " + platform.bootstrapServers()
                    + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + platform.bootstrapServers() + " did not answer within "
                    + TIMEOUT_S + " s; check --bootstrap-servers", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while asking Kafka for topic offsets", e);
        }
    }
}
