package org.crsaug.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.registry.EmbeddedSchemaRegistry;
import org.crsaug.platform.topic.TopicSpec;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real one-node KRaft cluster (Kafka's own test kit) plus an {@link EmbeddedSchemaRegistry}, for
 * service tests that need genuine brokers, transactions and Avro. Start one per test class (it
 * takes a few seconds) as a static {@code @RegisterExtension} field, which closes it after the
 * class's last test. Files stay under {@code target/}.
 */
public final class TestKafka implements AutoCloseable, AfterAllCallback {

    private static final AtomicInteger PLATFORMS = new AtomicInteger();

    private final Path baseDir;
    private final KafkaClusterTestKit cluster;
    private final EmbeddedSchemaRegistry registry;
    private final List<Platform> platforms = new ArrayList<>();

    private final int brokers;

    public TestKafka() {
        this(1);
    }

    /**
     * With one broker: a combined broker/controller node. With several: that many brokers and one
     * separate controller, internal topics replicated to all of them (at most 3) with min ISR 2 from
     * 3 brokers on, and platforms made by {@link #platform} asking the same of every topic they create, so a broker can be stopped and
     * restarted while clients carry on. A stopped broker goes without a controlled shutdown, as a
     * crashed one would: its partitions lose their leader until the controller misses its heartbeats
     * (3 s here).
     */
    public TestKafka(int brokers) {
        this.brokers = brokers;
        String replication = Integer.toString(Math.min(3, brokers));
        String minIsr = brokers >= 3 ? "2" : "1";
        baseDir = TestDirs.target().resolve("test-kafka-" + UUID.randomUUID().toString().substring(0, 8));
        KafkaClusterTestKit kit = null;
        EmbeddedSchemaRegistry reg = null;
        try {
            Files.createDirectories(baseDir);
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(brokers == 1)
                    .setNumBrokerNodes(brokers)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(baseDir.resolve("cluster"))
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            if (brokers > 1) {
                // no default.replication.factor: every topic our code creates must ask for its replicas itself.
                // min ISR for the consumer offsets topic, which takes the broker's
                builder.setConfigProp("min.insync.replicas", minIsr)
                        .setConfigProp("controlled.shutdown.enable", "false")
                        // the controller fences a silent broker after this: a crash's cost, scaled down
                        .setConfigProp("broker.session.timeout.ms", "3000")
                        .setConfigProp("broker.heartbeat.interval.ms", "500");
            }
            kit = builder
                    .setConfigProp("offsets.topic.replication.factor", replication)
                    .setConfigProp("offsets.topic.num.partitions", "3")
                    .setConfigProp("transaction.state.log.replication.factor", replication)
                    .setConfigProp("transaction.state.log.min.isr", minIsr)
                    .setConfigProp("transaction.state.log.num.partitions", "3")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            reg = new EmbeddedSchemaRegistry(kit.bootstrapServers(), 0, new Properties())
                    .replicatedAs(Short.parseShort(replication), brokers >= 3 ? minIsr : null);
            reg.start();
        } catch (Exception e) {
            if (reg != null) {
                reg.stop();
            }
            closeQuietly(kit);
            throw new IllegalStateException("Test Kafka cluster did not start: " + e, e);
        }
        cluster = kit;
        registry = reg;
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }

    public EmbeddedSchemaRegistry schemaRegistry() {
        return registry;
    }

    /** Directory for this cluster's scratch files (state dirs, artifacts), under target/. */
    public Path baseDir() {
        return baseDir;
    }

    /**
     * Stops one broker (ids start at 0) as a crash would leave it, without handing its leaderships
     * over: clients must fail over once the controller has fenced it.
     */
    public void stopBroker(int id) {
        cluster.brokers().get(id).shutdown();
        cluster.brokers().get(id).awaitShutdown();
    }

    /** Starts a stopped broker again on its old log directories. */
    public void startBroker(int id) {
        cluster.brokers().get(id).startup();
    }

    /** Stops the (only) controller: brokers keep serving, but no leader can change until it is back. */
    public void stopController() {
        cluster.controllers().values().forEach(c -> {
            c.shutdown();
            c.awaitShutdown();
        });
    }

    /** Starts the controller again on its metadata log. */
    public void startController() {
        cluster.controllers().values().forEach(c -> c.startup());
    }

    /** The broker id now leading a partition, as the cluster's metadata says; -1 while it has none. */
    public int leaderOf(String topic, int partition) {
        try (Admin admin = cluster.admin()) {
            org.apache.kafka.common.Node leader = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic).partitions().get(partition).leader();
            return leader == null || leader.isEmpty() ? -1 : leader.id();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted describing " + topic, e);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot describe " + topic + ": " + e, e);
        }
    }

    /**
     * The partition's last stable offset (what read_committed readers can reach), or -1 while no leader
     * answers: grows only once a transaction writing to it commits.
     */
    public long committedEnd(String topic, int partition) {
        TopicPartition tp = new TopicPartition(topic, partition);
        try (Admin admin = cluster.admin()) {
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).partitionResult(tp)
                    .get(10, TimeUnit.SECONDS).offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Every topic of the cluster, internal ones included, with its replicas and {@code min.insync.replicas}
     * and where that comes from, e.g. {@code "3 replicas, min ISR 2 (DYNAMIC_TOPIC_CONFIG)"}: the topic's own
     * setting, as opposed to a broker default.
     */
    public Map<String, String> replication() {
        try (Admin admin = cluster.admin()) {
            Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
                    .get(30, TimeUnit.SECONDS);
            Map<String, org.apache.kafka.clients.admin.TopicDescription> described = admin.describeTopics(topics)
                    .allTopicNames().get(30, TimeUnit.SECONDS);
            List<org.apache.kafka.common.config.ConfigResource> resources = topics.stream()
                    .map(t -> new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, t)).toList();
            Map<org.apache.kafka.common.config.ConfigResource, org.apache.kafka.clients.admin.Config> configs =
                    admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            Map<String, String> out = new java.util.TreeMap<>();
            configs.forEach((resource, config) -> {
                org.apache.kafka.clients.admin.ConfigEntry minIsr = config.get("min.insync.replicas");
                int replicas = described.get(resource.name()).partitions().stream()
                        .mapToInt(p -> p.replicas().size()).min().orElse(0);
                out.put(resource.name(), replicas + " replicas, min ISR " + minIsr.value() + " (" + minIsr.source() + ")");
            });
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted describing topics", e);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot describe the cluster's topics: " + e, e);
        }
    }

    /**
     * Waits until every partition of every topic has all its replicas in sync again, e.g. after a
     * restarted broker caught up: stopping another broker before then would leave partitions below
     * min ISR, a double fault.
     */
    public void awaitReplicasInSync(Duration timeout) throws InterruptedException {
        try (Admin admin = cluster.admin()) {
            Await.until("every replica back in sync", timeout, () -> allInSync(admin));
        }
    }

    private static boolean allInSync(Admin admin) {
        try {
            Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
                    .get(30, TimeUnit.SECONDS);
            return admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                    .flatMap(t -> t.partitions().stream())
                    .allMatch(p -> p.leader() != null && p.isr().size() == p.replicas().size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            // metadata in flux right after a restart: ask again
            return false;
        }
    }

    public Platform platform() {
        return platform(Map.of());
    }

    /**
     * A Platform connected to this cluster with its own state.dir and all topics created.
     * Overrides win over the test defaults (e.g. {@code topic.prefix} to isolate a test).
     */
    public Platform platform(Map<String, String> configOverrides) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", bootstrapServers());
        settings.put("schema.registry.url", registryUrl());
        settings.put("state.dir", baseDir.resolve("state-" + PLATFORMS.incrementAndGet()).toString());
        settings.put("topic.replication.factor", Integer.toString(Math.min(3, brokers)));
        if (brokers >= 3) {
            settings.put("topic.min.insync.replicas", "2");
        }
        settings.putAll(configOverrides);
        Platform p = Platform.connect(CrsConfig.defaults().withAll(settings));
        p.ensureTopics();
        synchronized (platforms) {
            platforms.add(p);
        }
        return p;
    }

    /**
     * Everything committed on the topic from the beginning, read by a fresh group-less consumer;
     * waits until at least {@code expectedAtLeast} records arrived, then drains what is left.
     *
     * @throws AssertionError when fewer records arrive in time
     */
    public static <V extends SpecificRecord> List<ConsumerRecord<String, V>> readAll(Platform p, TopicSpec<V> spec,
            int expectedAtLeast, Duration timeout) {
        String topic = p.config().topic(spec);
        Properties props = p.consumerProps("test-reader");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                p.valueSerde(spec).deserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, timeout)) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
                if (out.size() >= expectedAtLeast && caughtUp(consumer, partitions)) {
                    return out;
                }
                if (System.nanoTime() > deadline) {
                    if (out.size() >= expectedAtLeast) {
                        return out;
                    }
                    throw new AssertionError("Expected at least " + expectedAtLeast + " committed records on "
                            + topic + " within " + timeout + " but read " + out.size());
                }
            }
        }
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) {
        // under read_committed endOffsets is the last stable offset, so this waits out open transactions
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    /** Writes one record through the platform's own producer and serde, waiting for the ack. */
    public static <V extends SpecificRecord> void send(Platform p, TopicSpec<V> spec, String key, V value) {
        try (KafkaProducer<String, V> producer = p.producer(spec, "test-sender")) {
            producer.send(new ProducerRecord<>(p.config().topic(spec), key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("Could not send to " + p.config().topic(spec) + ": " + e, e);
        }
    }

    /**
     * Every key and value byte currently in the topic, concatenated: for checking that something
     * (a secret, say) appears nowhere, whatever the serialisation.
     */
    public static byte[] rawBytes(Platform p, String topic) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        readRaw(p, topic, r -> {
            out.writeBytes(r.key() == null ? new byte[0] : r.key());
            out.writeBytes(r.value() == null ? new byte[0] : r.value());
        });
        return out.toByteArray();
    }

    /**
     * The latest value bytes of every key in the topic, as stored (Avro wire format included): for checking
     * that two topics hold byte-identical records whatever order they were written in.
     */
    public static Map<String, String> latestRawValues(Platform p, String topic) {
        Map<String, String> out = new java.util.TreeMap<>();
        readRaw(p, topic, r -> out.put(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                r.value() == null ? null : java.util.HexFormat.of().formatHex(r.value())));
        return out;
    }

    /** Every record of the topic from the beginning to the end it has now, as stored bytes. */
    private static void readRaw(Platform p, String topic,
            java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Properties props = p.consumerProps("raw-" + UUID.randomUUID());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Could not read " + topic + " to its end");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(each);
            }
        }
    }

    /**
     * Records a consumer of this JVM (a service under test) has handed to its code so far, by client id; 0 before
     * it exists. Lets a test wait until a service has read a marker record, instead of sleeping to show that
     * something did not happen.
     */
    public static double recordsConsumed(String clientId) {
        try {
            javax.management.ObjectName name = new javax.management.ObjectName(
                    "kafka.consumer:type=consumer-fetch-manager-metrics,client-id=" + clientId);
            javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            return server.isRegistered(name) ? ((Number) server.getAttribute(name, "records-consumed-total")).doubleValue()
                    : 0;
        } catch (javax.management.JMException e) {
            throw new IllegalStateException("Cannot read the consumer metrics of " + clientId + ": " + e, e);
        }
    }

    /** Writes bytes as they are, bypassing the serde, to test how readers handle bad input. */
    public static void sendRaw(Platform p, String topic, String key, byte[] value) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p.producerProps("test-raw-sender"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("Could not send raw bytes to " + topic + ": " + e, e);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        synchronized (platforms) {
            platforms.forEach(Platform::close);
            platforms.clear();
        }
        if (registry != null) {
            registry.stop();
        }
        closeQuietly(cluster);
    }

    private static void closeQuietly(KafkaClusterTestKit kit) {
        if (kit == null) {
            return;
        }
        try {
            kit.close();
        } catch (Exception e) {
            System.err.println("Test Kafka cluster did not close cleanly: " + e);
        }
    }
}
