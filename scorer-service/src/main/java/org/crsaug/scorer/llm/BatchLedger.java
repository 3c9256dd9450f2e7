package org.crsaug.scorer.llm;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.JudgeBatch;

/**
 * The compacted {@code judge-batches} topic: every Batch API job the judge submitted, by batch id. A
 * batch is written (and acknowledged) before it is polled and again when its outputs are journalled,
 * so whoever reads the ledger knows which batches are still open and which pairs they hold.
 */
final class BatchLedger implements AutoCloseable {

    static final String SUBMITTED = "submitted";
    static final String DONE = "done";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final Platform platform;
    private final KafkaProducer<String, JudgeBatch> producer;
    private final String topic;

    BatchLedger(Platform platform) {
        this.platform = platform;
        this.producer = platform.producer(Topics.JUDGE_BATCHES, "scorer-batch-ledger");
        this.topic = platform.config().topic(Topics.JUDGE_BATCHES);
    }

    /** The latest record of every batch, in the order they were first written. */
    Map<String, JudgeBatch> read() {
        Map<String, JudgeBatch> out = new LinkedHashMap<>();
        try (TopicFollower<JudgeBatch> follower = new TopicFollower<>(platform, Topics.JUDGE_BATCHES,
                "scorer-batch-ledger-reader")) {
            follower.catchUp(r -> {
                if (r.value() == null) {
                    out.remove(r.key());
                } else {
                    out.put(r.key(), r.value());
                }
            }, READ_TIMEOUT);
        }
        return out;
    }

    /** Writes the batch's state and waits until it is durable: nothing that follows may outrun it. */
    void write(JudgeBatch batch) {
        try {
            producer.send(new ProducerRecord<>(topic, batch.getBatchId(), batch)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not record batch " + batch.getBatchId() + " on " + topic
                    + "; it is not polled until it is recorded: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while recording batch " + batch.getBatchId(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
