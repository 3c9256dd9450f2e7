package org.crsaug.platform.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.crsaug.platform.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's durable state: the compacted topic {@link Topics#SCHEMAS_TOPIC} with one partition,
 * in Confluent's record format (JSON keys with a {@code keytype}), so ids survive restarts and a
 * Confluent registry pointed at the same cluster would read the same history. Not thread-safe: the
 * {@link RegistryState} that owns it calls it under its own lock.
 */
final class SchemaStore implements AutoCloseable {

    /** What replaying the topic tells the in-memory state, record by record. */
    interface Listener {
        void schema(SchemaVersion version);

        void schemaDeleted(String subject, int version);

        void compatibility(String level);
    }

    private static final Logger log = LoggerFactory.getLogger(SchemaStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);
    private static final TopicPartition PARTITION = new TopicPartition(Topics.SCHEMAS_TOPIC, 0);

    private final String bootstrapServers;
    private final Properties kafkaPassThrough;
    private final Optional<Short> replication;
    private final String minInSyncReplicas;
    private KafkaProducer<String, String> producer;
    private KafkaConsumer<String, String> consumer;

    /**
     * @param replication       replicas of the topic when this store creates it; empty for the broker default
     * @param minInSyncReplicas the topic's {@code min.insync.replicas}; null for the broker default
     */
    SchemaStore(String bootstrapServers, Properties kafkaPassThrough, Optional<Short> replication,
            String minInSyncReplicas) {
        this.bootstrapServers = bootstrapServers;
        this.replication = replication;
        this.minInSyncReplicas = minInSyncReplicas;
        this.kafkaPassThrough = new Properties();
        if (kafkaPassThrough != null) {
            this.kafkaPassThrough.putAll(kafkaPassThrough);
        }
    }

    /** Creates the topic if needed and positions the reader at its start; {@link #catchUp} then replays it. */
    void open() {
        ensureTopic();
        producer = new KafkaProducer<>(producerProps(), new StringSerializer(), new StringSerializer());
        consumer = new KafkaConsumer<>(consumerProps(), new StringDeserializer(), new StringDeserializer());
        consumer.assign(List.of(PARTITION));
        consumer.seekToBeginning(List.of(PARTITION));
    }

    /** Hands every record up to the current end of the topic to {@code listener}. */
    void catchUp(Listener listener) {
        long end = consumer.endOffsets(List.of(PARTITION), KAFKA_TIMEOUT).get(PARTITION);
        long deadline = System.nanoTime() + KAFKA_TIMEOUT.toNanos();
        while (consumer.position(PARTITION, KAFKA_TIMEOUT) < end) {
            if (System.nanoTime() > deadline) {
                throw RegistryErrors.storeTimedOut("Timed out reading " + Topics.SCHEMAS_TOPIC + " from Kafka at "
                        + bootstrapServers);
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                apply(r.key(), r.value(), listener);
            }
        }
    }

    void writeSchema(SchemaVersion v) {
        write(JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", v.subject())
                        .put("version", v.version()).put("magic", 1),
                JSON.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id())
                        .put("schema", v.schema()));
    }

    void writeCompatibility(String level) {
        write(JSON.createObjectNode().put("keytype", "CONFIG").put("magic", 0),
                JSON.createObjectNode().put("compatibilityLevel", level));
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
            consumer = null;
        }
    }

    private static void apply(String key, String value, Listener listener) {
        try {
            JsonNode k = JSON.readTree(key);
            String type = k.path("keytype").asText();
            if ("CONFIG".equals(type)) {
                if (value != null) {
                    String level = JSON.readTree(value).path("compatibilityLevel").asText("");
                    if (!level.isEmpty()) {
                        listener.compatibility(level);
                    }
                }
            } else if ("SCHEMA".equals(type)) {
                String subject = k.path("subject").asText();
                int version = k.path("version").asInt();
                if (value == null) {
                    listener.schemaDeleted(subject, version);
                    return;
                }
                JsonNode v = JSON.readTree(value);
                listener.schema(new SchemaVersion(subject, version, v.path("id").asInt(), v.path("schema").asText()));
            }
        } catch (IOException e) {
            log.warn("Skipping unreadable record in {}: {}", Topics.SCHEMAS_TOPIC, e.getMessage());
        }
    }

    private void write(ObjectNode key, ObjectNode value) {
        try {
            producer.send(new ProducerRecord<>(Topics.SCHEMAS_TOPIC, 0, key.toString(), value.toString()))
                    .get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw RegistryErrors.storeFailed("Could not store the schema in " + Topics.SCHEMAS_TOPIC + ": "
                    + (e.getCause() != null ? e.getCause() : e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryErrors.storeFailed("Interrupted while storing the schema");
        }
    }

    private void ensureTopic() {
        Properties props = new Properties();
        props.putAll(kafkaPassThrough);
        props.put("bootstrap.servers", bootstrapServers);
        props.put("client.id", "crs-schema-registry-admin");
        try (Admin admin = Admin.create(props)) {
            if (admin.listTopics().names().get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                    .contains(Topics.SCHEMAS_TOPIC)) {
                return;
            }
            // replicated like the pipeline's topics: every service needs the schemas to read or write anything
            Map<String, String> configs = new java.util.HashMap<>();
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            if (minInSyncReplicas != null) {
                configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInSyncReplicas);
            }
            NewTopic topic = new NewTopic(Topics.SCHEMAS_TOPIC, Optional.of(1), replication).configs(configs);
            admin.createTopics(List.of(topic)).all().get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            log.info("Created schema topic {}", Topics.SCHEMAS_TOPIC);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Schema registry cannot create topic " + Topics.SCHEMAS_TOPIC
                        + " on " + bootstrapServers + ": " + e.getCause(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Schema registry cannot reach Kafka at " + bootstrapServers
                    + " within " + KAFKA_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while preparing " + Topics.SCHEMAS_TOPIC, e);
        }
    }

    private Properties producerProps() {
        Properties p = new Properties();
        p.putAll(kafkaPassThrough);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "crs-schema-registry-producer");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return p;
    }

    private Properties consumerProps() {
        Properties p = new Properties();
        p.putAll(kafkaPassThrough);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "crs-schema-registry-reader");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return p;
    }
}
