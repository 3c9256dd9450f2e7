package org.crsaug.platform.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.TopicSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a whole topic from the beginning without a consumer group, for components that need every
 * record (an index, a training set) rather than a share of the partitions. {@link #catchUp} reads
 * up to the end offsets as they were when it was called, which gives callers a well-defined
 * snapshot whose offset ranges can be recorded for lineage.
 */
public final class TopicFollower<V extends SpecificRecord> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);

    private final KafkaConsumer<String, V> consumer;
    private final List<TopicPartition> partitions;
    private final String topic;
    private long skipped;

    public TopicFollower(Platform platform, TopicSpec<V> spec, String clientId) {
        this.topic = platform.config().topic(spec);
        Properties props = platform.consumerProps(clientId);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                platform.valueSerde(spec).deserializer());
        // a topic created a moment ago may not be in every broker's metadata yet: ask again briefly
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while ((infos == null || infos.isEmpty()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        }
        if (infos == null || infos.isEmpty()) {
            consumer.close();
            throw new IllegalStateException("Topic " + topic + " does not exist; run the platform's topic setup");
        }
        this.partitions = new ArrayList<>();
        infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    public String topic() {
        return topic;
    }

    /**
     * A handler that keeps the latest value per key in {@code map}, as compaction does: a later record
     * replaces an earlier one, a tombstone deletes, a record without a key is not one of ours and is skipped.
     */
    public static <T> Consumer<ConsumerRecord<String, T>> latestInto(Map<String, T> map) {
        return r -> {
            if (r.key() == null) {
                return;
            }
            if (r.value() == null) {
                map.remove(r.key());
            } else {
                map.put(r.key(), r.value());
            }
        };
    }

    /**
     * Hands every record up to the current end offsets to the handler and returns how many it read.
     * Throws if the end is not reached within the timeout, so callers never act on half a snapshot.
     */
    public long catchUp(Consumer<ConsumerRecord<String, V>> handler, Duration timeout) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        long count = 0;
        while (!reached(end)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Could not read " + topic + " to its end within " + timeout);
            }
            count += pollOnce(handler, Duration.ofMillis(200));
        }
        return count;
    }

    /**
     * Hands over exactly the records below {@code end} (per partition; partitions not named are read up to
     * offset 0, i.e. not at all) and leaves the position at {@code end}: replaying a recorded offset range
     * must not pick up anything published after it.
     */
    public long catchUpTo(Map<TopicPartition, Long> end, Consumer<ConsumerRecord<String, V>> handler,
            Duration timeout) {
        Map<TopicPartition, Long> bounds = new HashMap<>();
        for (TopicPartition tp : partitions) {
            bounds.put(tp, end.getOrDefault(tp, 0L));
        }
        for (TopicPartition tp : end.keySet()) {
            if (!bounds.containsKey(tp)) {
                throw new IllegalArgumentException("Partition " + tp + " is not a partition of " + topic);
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long[] count = {0};
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) > bounds.get(tp)) {
                throw new IllegalStateException("Already read " + tp + " past offset " + bounds.get(tp));
            }
        }
        while (!reached(bounds)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Could not read " + topic + " up to " + bounds + " within " + timeout
                        + "; were records deleted by retention?");
            }
            pollOnce(r -> {
                if (r.offset() < bounds.get(new TopicPartition(r.topic(), r.partition()))) {
                    handler.accept(r);
                    count[0]++;
                }
            }, Duration.ofMillis(200));
            for (TopicPartition tp : partitions) {
                if (consumer.position(tp) > bounds.get(tp)) {
                    consumer.seek(tp, bounds.get(tp));
                }
            }
        }
        return count[0];
    }

    /** One poll; returns the number of records handed over. */
    public long pollOnce(Consumer<ConsumerRecord<String, V>> handler, Duration wait) {
        ConsumerRecords<String, V> records;
        try {
            records = consumer.poll(wait);
        } catch (RecordDeserializationException e) {
            // the owning stage dead-letters such records; readers of the whole topic step over them
            skipped++;
            LOG.warn("Skipping undecodable record {}@{}: {}", e.topicPartition(), e.offset(), e.getMessage());
            consumer.seek(e.topicPartition(), e.offset() + 1);
            return 0;
        }
        for (ConsumerRecord<String, V> r : records) {
            handler.accept(r);
        }
        return records.count();
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Next offset to read per partition: everything below it has been handed over. */
    public Map<TopicPartition, Long> positions() {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            out.put(tp, consumer.position(tp));
        }
        return out;
    }

    public long skipped() {
        return skipped;
    }

    /**
     * Closes at once: without a group there is nothing to commit or leave, and waiting would only hold the
     * caller for the broker's long poll of the fetch in flight (up to {@code fetch.max.wait.ms}, 0.5 s, per
     * follower; a one-dialogue {@code crs ingest --file} closes two).
     */
    @Override
    public void close() {
        consumer.close(Duration.ZERO);
    }
}
