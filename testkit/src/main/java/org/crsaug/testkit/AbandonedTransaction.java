package org.crsaug.testkit;

import java.time.Duration;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.schema.Dialogue;

/**
 * What a process killed inside a Kafka transaction leaves on the broker: records sent under a transactional id
 * in a transaction nobody commits or aborts. Only a successor with the same id (which fences this one) or the
 * coordinator's transaction timeout ends it. {@link #close} drops the producer without finishing anything.
 */
public final class AbandonedTransaction implements AutoCloseable {

    private final Platform platform;
    private final KafkaProducer<String, byte[]> producer;

    /** Opens the transaction under {@code transactionalId} (namespaced, as the platform's producers are). */
    public AbandonedTransaction(Platform platform, String transactionalId) {
        this.platform = platform;
        this.producer = new KafkaProducer<>(platform.transactionalProducerProps(transactionalId),
                new StringSerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions();
            producer.beginTransaction();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    /** Sends one record inside the open transaction and waits until the broker has it. */
    public <V extends SpecificRecord> AbandonedTransaction send(TopicSpec<V> spec, String key, V value) {
        String topic = platform.config().topic(spec);
        try {
            producer.send(new ProducerRecord<>(topic, key, platform.valueSerde(spec).serializer().serialize(topic,
                    value))).get();
        } catch (Exception e) {
            throw new IllegalStateException("Could not send to " + topic + " in the open transaction: " + e, e);
        }
        return this;
    }

    /**
     * Commits after all: what the broker does for a run killed after asking to commit, once its coordinator gets
     * to it. Until then committed readers do not see the records, though the commit is already decided.
     */
    public void commit() {
        producer.commitTransaction();
    }

    /** A dialogue as a killed run had sent it: no turns, its source saying which run. */
    public static Dialogue dialogue(String id, String source) {
        return Dialogue.newBuilder().setDialogueId(id).setDataset("inspired").setSplit("train").setTurns(List.of())
                .setFeedback(List.of()).setSource(source).build();
    }

    @Override
    public void close() {
        producer.close(Duration.ZERO);
    }
}
