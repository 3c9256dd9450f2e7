package org.crsaug.platform.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.registry.EmbeddedSchemaRegistry;
import org.crsaug.platform.registry.HttpSchemaRegistryClient;
import org.crsaug.platform.registry.SchemaRegistryClient;
import org.crsaug.platform.serde.AvroSerde;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.platform.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every service gets its Kafka and schema registry from: either the configured cluster and
 * registry, or (when {@code bootstrap.servers} / {@code schema.registry.url} are blank) embedded
 * ones it starts itself. Client properties built here always carry the {@code kafka.*}
 * pass-through settings, so TLS/SASL for a real cluster is configured in one place.
 */
public final class Platform implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Platform.class);
    /** Optional {@code user:password} for a registry behind HTTP basic auth (Confluent's convention). */
    public static final String REGISTRY_USER_INFO = "schema.registry.basic.auth.user.info";

    private final CrsConfig config;
    private final String bootstrapServers;
    private final String registryUrl;
    private final EmbeddedKafka embeddedKafka;
    private final EmbeddedSchemaRegistry embeddedRegistry;
    private final SchemaRegistryClient registry;
    private final Map<TopicSpec<?>, Serde<?>> serdes = new ConcurrentHashMap<>();
    /** Held while this platform runs the embedded broker on the state directory; null otherwise. */
    private final StateDirLock lock;
    /** The running {@code crs up} this platform is a guest of (same state directory); null when it is not. */
    private final PlatformAddress attachedTo;

    private Platform(CrsConfig config, String bootstrapServers, String registryUrl, EmbeddedKafka kafka,
            EmbeddedSchemaRegistry embeddedRegistry, StateDirLock lock, PlatformAddress attachedTo) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.embeddedKafka = kafka;
        this.embeddedRegistry = embeddedRegistry;
        this.lock = lock;
        this.attachedTo = attachedTo;
        Map<String, String> headers = config.has(REGISTRY_USER_INFO)
                ? HttpSchemaRegistryClient.basicAuth(config.get(REGISTRY_USER_INFO))
                : Map.of();
        this.registry = new HttpSchemaRegistryClient(registryUrl, headers);
    }

    /**
     * Connects to what is configured and starts embedded stand-ins for whatever is left blank. When the
     * state directory is in use by {@code crs up}, attaches to that running platform instead (see
     * {@link PlatformAddress}); when it is in use by any other process, fails naming that process.
     */
    public static Platform start(CrsConfig config) {
        return start(config, true);
    }

    /**
     * Like {@link #start} but never attaches: for commands that run the whole pipeline themselves
     * ({@code crs run}, {@code crs up}), which must not share a state directory with a running one.
     */
    public static Platform startExclusive(CrsConfig config) {
        return start(config, false);
    }

    private static Platform start(CrsConfig config, boolean mayAttach) {
        StateDirLock lock = null;
        EmbeddedKafka kafka = null;
        EmbeddedSchemaRegistry embeddedRegistry = null;
        try {
            String bootstrap;
            if (config.has("bootstrap.servers")) {
                bootstrap = config.get("bootstrap.servers");
                log.info("Using Kafka at {}", bootstrap);
            } else {
                Path state = stateDir(config);
                // before the broker opens a single file: a second KRaft controller on the same metadata log
                // corrupts it for the process already running there
                Optional<StateDirLock> acquired = StateDirLock.tryAcquire(state);
                if (acquired.isEmpty()) {
                    return attachOrRefuse(config, state, mayAttach);
                }
                lock = acquired.get();
                if (Files.exists(PlatformAddress.file(state))) {
                    // the lock was free, so whoever wrote it is gone without cleaning up
                    log.info("Ignoring the stale {} of a crs up that did not shut down cleanly",
                            PlatformAddress.file(state));
                    PlatformAddress.delete(state);
                }
                Path dir = state.resolve("kafka");
                kafka = new EmbeddedKafka(dir, config.getInt("embedded.kafka.port"));
                kafka.start();
                bootstrap = kafka.bootstrapServers();
                log.info("bootstrap.servers is empty: started embedded Kafka at {} with data in {}", bootstrap, dir);
            }
            String url;
            if (config.has("schema.registry.url")) {
                url = config.get("schema.registry.url");
                log.info("Using schema registry at {}", url);
            } else {
                embeddedRegistry = new EmbeddedSchemaRegistry(bootstrap, config.getInt("embedded.registry.port"),
                        config.kafkaPassThrough()).replicatedAs((short) config.getInt("topic.replication.factor"),
                                config.has("topic.min.insync.replicas") ? config.get("topic.min.insync.replicas") : null);
                embeddedRegistry.start();
                url = embeddedRegistry.url();
                log.info("schema.registry.url is empty: started embedded schema registry at {}", url);
            }
            return new Platform(config, bootstrap, url, kafka, embeddedRegistry, lock, null);
        } catch (RuntimeException e) {
            if (embeddedRegistry != null) {
                embeddedRegistry.stop();
            }
            if (kafka != null) {
                kafka.stop();
            }
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
    }

    private static Platform attachOrRefuse(CrsConfig config, Path state, boolean mayAttach) {
        Optional<PlatformAddress> running = PlatformAddress.read(state);
        String holder = StateDirLock.holder(state);
        if (running.isEmpty()) {
            throw new IllegalStateException("The state directory " + state.toAbsolutePath() + " is in use by "
                    + holder + ". If that is a crs up still starting, try again once it prints its ready block;"
                    + " otherwise stop that process first, or use another --state-dir. To let commands share a"
                    + " state directory, keep the platform running with 'crs up' there (other commands then"
                    + " attach to it), or point all of them at a cluster with --bootstrap-servers and"
                    + " --schema-registry-url.");
        }
        PlatformAddress address = running.get();
        if (!mayAttach) {
            throw new IllegalStateException("crs up is already running on the state directory "
                    + state.toAbsolutePath() + " (" + holder + ", Kafka at " + address.bootstrapServers()
                    + "). This command runs a platform of its own: stop crs up (Ctrl-C) first, or use another"
                    + " --state-dir.");
        }
        CrsConfig attachedConfig = config.with("bootstrap.servers", address.bootstrapServers());
        if (!config.has("schema.registry.url")) {
            attachedConfig = attachedConfig.with("schema.registry.url", address.schemaRegistryUrl());
        }
        log.info("{} is in use by crs up ({}): attached to Kafka at {} and the registry at {}", state, holder,
                attachedConfig.get("bootstrap.servers"), attachedConfig.get("schema.registry.url"));
        return new Platform(attachedConfig, attachedConfig.get("bootstrap.servers"),
                attachedConfig.get("schema.registry.url"), null, null, null, address);
    }

    /** Connects to an existing cluster and registry; starts nothing. */
    public static Platform connect(CrsConfig config) {
        List<String> missing = new ArrayList<>();
        for (String key : List.of("bootstrap.servers", "schema.registry.url")) {
            if (!config.has(key)) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigException("Cannot connect: " + String.join(" and ", missing) + (missing.size() > 1
                    ? " are" : " is") + " not set (set with --set key=value, or leave both empty and start the"
                    + " platform to run embedded ones)");
        }
        return new Platform(config, config.get("bootstrap.servers"), config.get("schema.registry.url"), null,
                null, null, null);
    }

    public CrsConfig config() {
        return config;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String registryUrl() {
        return registryUrl;
    }

    /** Whether this platform is a guest of a running {@code crs up} on its state directory. */
    public boolean attached() {
        return attachedTo != null;
    }

    public SchemaRegistryClient registry() {
        return registry;
    }

    /** One serde per topic contract, shared so schema ids are registered and cached once. */
    @SuppressWarnings("unchecked")
    public <V extends SpecificRecord> Serde<V> valueSerde(TopicSpec<V> spec) {
        return (Serde<V>) serdes.computeIfAbsent(spec, s -> new AvroSerde<>(registry, spec.valueType()));
    }

    /** Creates any missing pipeline topic; existing ones are left as they are. */
    public void ensureTopics() {
        // a guest of crs up in the same topic namespace: crs up created them all, and a one-dialogue command
        // would otherwise spend a good part of its run starting an admin client to find that out
        if (attachedTo != null && Topics.all().stream().map(config::topic).allMatch(attachedTo.topics()::contains)) {
            return;
        }
        int partitions = config.getInt("topic.partitions");
        short replication = (short) config.getInt("topic.replication.factor");
        try (Admin admin = Admin.create(adminProps())) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> wanted = new ArrayList<>();
            for (TopicSpec<?> spec : Topics.all()) {
                String name = config.topic(spec);
                if (existing.contains(name)) {
                    continue;
                }
                NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.of(replication));
                Map<String, String> topicConfig = new HashMap<>();
                // long dialogues are valid input; the broker's 1 MB default would reject them
                topicConfig.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, config.get("topic.max.message.bytes"));
                if (config.has("topic.min.insync.replicas")) {
                    // with acks=all, a write then survives the loss of any one broker
                    topicConfig.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, config.get("topic.min.insync.replicas"));
                }
                if (spec.compacted()) {
                    topicConfig.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
                }
                topic.configs(topicConfig);
                wanted.add(topic);
            }
            if (wanted.isEmpty()) {
                return;
            }
            CreateTopicsResult result = admin.createTopics(wanted);
            for (Map.Entry<String, ? extends org.apache.kafka.common.KafkaFuture<Void>> e
                    : result.values().entrySet()) {
                try {
                    e.getValue().get(60, TimeUnit.SECONDS);
                    log.info("Created topic {} ({} partitions, replication {})", e.getKey(), partitions, replication);
                } catch (ExecutionException ex) {
                    // someone else created it between our listing and our request: that is fine
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw KafkaAccess.explain(ex.getCause(), config, bootstrapServers).orElseThrow(() -> new IllegalStateException("Cannot create topic " + e.getKey() + " on "
                                + bootstrapServers + " (topic.partitions=" + partitions
                                + ", topic.replication.factor=" + replication + "): " + ex.getCause().getMessage(),
                                ex.getCause()));
                    }
                }
            }
        } catch (ExecutionException e) {
            throw KafkaAccess.explain(e.getCause(), config, bootstrapServers).orElseThrow(() -> new IllegalStateException(
                    "Cannot list topics on " + bootstrapServers + ": " + e.getCause().getMessage(), e.getCause()));
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        }
    }

    /**
     * On a cluster that authenticates its clients ({@code kafka.security.protocol} set), fails at once, naming the
     * principal and every missing ACL, unless these clients may read {@code reads} and write {@code writes}
     * (physical topic names); does nothing on an open cluster.
     */
    public void requireAccess(java.util.Collection<String> reads, java.util.Collection<String> writes) {
        if (!KafkaAccess.secured(config)) {
            return;
        }
        try (Admin admin = Admin.create(adminProps())) {
            KafkaAccess.require(admin, config, bootstrapServers, reads, writes);
        }
    }

    /** {@code e} as a clear error when a secured cluster refused the login or an ACL; else {@code e} itself. */
    public Throwable explain(Throwable e) {
        return KafkaAccess.explain(e, config, bootstrapServers).<Throwable>map(x -> x).orElse(e);
    }

    /**
     * Group, application and transactional ids carry the topic prefix too, so a namespace of topics
     * (a replay, an experiment variant) never shares offsets or state with another.
     */
    public String namespaced(String id) {
        return config.get("topic.prefix", "") + id;
    }

    public Properties adminProps() {
        return withPassThrough(new HashMap<>(), Map.of());
    }

    public Properties producerProps(String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.get("topic.max.message.bytes"));
        return withPassThrough(p, Map.of(ProducerConfig.CLIENT_ID_CONFIG, clientId));
    }

    /**
     * A transactional producer's properties. A process killed inside a transaction leaves it open, and every
     * read_committed reader of its partitions (the retriever, for an intake) waits until the coordinator
     * aborts it after {@code transaction.timeout.ms}; a successor with the same id aborts it at once, but the
     * HTTP intake's id is new in every process. Our transactions are one body or one file, so they get the
     * 10 s Kafka Streams uses under exactly-once instead of the producer's 60 s ({@code
     * kafka.transaction.timeout.ms} still wins).
     */
    public Properties transactionalProducerProps(String transactionalId) {
        Properties p = producerProps(transactionalId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, namespaced(transactionalId));
        p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(TRANSACTION_TIMEOUT_MS));
        return p;
    }

    /** Default {@code transaction.timeout.ms} of our own transactional producers (see above). */
    public static final int TRANSACTION_TIMEOUT_MS = 10_000;

    public Properties consumerProps(String groupId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return withPassThrough(p, Map.of(ConsumerConfig.GROUP_ID_CONFIG, namespaced(groupId),
                ConsumerConfig.CLIENT_ID_CONFIG, namespaced(groupId) + "-" + Long.toHexString(System.nanoTime())));
    }

    public Properties streamsProps(String applicationId) {
        Map<String, Object> p = new HashMap<>();
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, streamsDir().toAbsolutePath().toString());
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.get("streams.commit.interval.ms"));
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.get("topic.replication.factor"));
        if (config.has("topic.min.insync.replicas")) {
            // Streams' own changelog and repartition topics, like ours: a write survives the loss of a broker
            p.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
                    config.get("topic.min.insync.replicas"));
        }
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), config.get("topic.max.message.bytes"));
        return withPassThrough(p, Map.of(StreamsConfig.APPLICATION_ID_CONFIG, namespaced(applicationId)));
    }

    /** An idempotent producer of the topic's values with string keys; the caller closes it. */
    public <V extends SpecificRecord> KafkaProducer<String, V> producer(TopicSpec<V> spec, String clientId) {
        return new KafkaProducer<>(producerProps(clientId), new StringSerializer(), valueSerde(spec).serializer());
    }

    /** Stops what {@link #start} started, registry first because it writes to the broker, then unlocks. */
    @Override
    public void close() {
        try {
            if (embeddedRegistry != null) {
                embeddedRegistry.stop();
            }
            if (embeddedKafka != null) {
                embeddedKafka.stop();
            }
        } finally {
            if (lock != null) {
                lock.close();
            }
            if (attached()) {
                deleteAttachedStreamsDir();
            }
        }
    }

    /**
     * Kafka Streams locks its state directory per application, so a guest replica (e.g. {@code crs
     * service scorer} beside {@code crs up}) keeps its stream state apart, per process, and drops it on
     * close: its stores are rebuilt from their changelog topics.
     */
    private Path streamsDir() {
        Path streams = stateDir(config).resolve("streams");
        return attached() ? streams.resolveSibling("streams-attached").resolve("pid-" + ProcessHandle.current().pid())
                : streams;
    }

    private void deleteAttachedStreamsDir() {
        Path dir = streamsDir();
        if (Files.exists(dir)) {
            try {
                ArtifactStore.deleteTree(dir);
            } catch (IOException e) {
                log.warn("Cannot delete the stream state {} of this attached process: {}", dir, e.toString());
            }
        }
    }

    // Our defaults first, then the operator's kafka.* settings (so they can tune anything), then the
    // identity that the caller asked for, which must not be overridden by a shared setting.
    private Properties withPassThrough(Map<String, Object> defaults, Map<String, String> identity) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(defaults);
        p.putAll(config.kafkaPassThrough());
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(identity);
        return p;
    }

    private static Path stateDir(CrsConfig config) {
        return Path.of(config.get("state.dir", ".crs"));
    }
}
