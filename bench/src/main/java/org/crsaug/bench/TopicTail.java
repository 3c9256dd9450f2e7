package org.crsaug.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.TopicSpec;

/**
 * Follows a topic from its end as it was when constructed, on a thread of its own, handing each
 * committed record (read_committed, no group) to the handler as soon as a fetch returns it: the
 * moment a record is handed over is when a downstream reader could first have seen it.
 */
final class TopicTail<V extends SpecificRecord> implements AutoCloseable {

    private final KafkaConsumer<String, V> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    TopicTail(Platform platform, TopicSpec<V> spec, Consumer<ConsumerRecord<String, V>> handler) {
        String topic = platform.config().topic(spec);
        Properties props = platform.consumerProps("bench-stream-tail");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), platform.valueSerde(spec).deserializer());
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            consumer.close(Duration.ZERO);
            throw new IllegalStateException("Topic " + topic + " does not exist on " + platform.bootstrapServers()
                    + "; is this the platform crs up runs (same --state-dir or --bootstrap-servers, same topic.prefix)?");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // resolves the lazy seek now: records published from here on are the ones handed over
        partitions.forEach(consumer::position);
        thread = new Thread(() -> follow(handler), "bench-tail-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void follow(Consumer<ConsumerRecord<String, V>> handler) {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
                        handler.accept(r);
                    }
                } catch (RecordDeserializationException e) {
                    // the owning stage dead-letters such a record; a reader steps over it
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** Throws what ended the following thread, if anything did: a dead tail would look like a slow pipeline. */
    void check() {
        if (failure != null) {
            throw new IllegalStateException("Reading " + thread.getName().substring("bench-tail-".length())
                    + " failed: " + failure.getMessage(), failure);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ZERO);
    }
}
