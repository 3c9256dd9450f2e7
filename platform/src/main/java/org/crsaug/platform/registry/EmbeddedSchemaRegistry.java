package org.crsaug.platform.registry;

import java.util.Optional;
import java.util.Properties;
import org.crsaug.platform.http.WebServer;
import org.crsaug.platform.service.Service;
import org.crsaug.platform.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small schema registry speaking the subset of the Confluent REST API the pipeline and
 * Confluent-compatible clients use, so a laptop run needs no extra server (and none has to be
 * fetched: Confluent's registry is not published to Maven Central). Its state lives in the
 * compacted topic {@link Topics#SCHEMAS_TOPIC} (one partition, replayed on start), so ids stay
 * stable across restarts and records written earlier stay readable.
 *
 * <p>This class only wires the parts and runs their lifecycle: {@link SchemaStore} (the topic),
 * {@link RegistryState} (subjects, versions, ids and the protocol's operations), {@link Compatibility}
 * (the levels) and {@link RegistryHttp} (the REST routes).
 *
 * <p>Like Confluent's registry it assumes a single writer per Kafka cluster: two instances
 * registering new schemas at the same moment could hand out the same id.
 */
public final class EmbeddedSchemaRegistry implements Service {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);

    private final String bootstrapServers;
    private final String host;
    private final int requestedPort;
    private final Properties kafkaPassThrough;
    private volatile Optional<Short> replication = Optional.empty();
    private volatile String minInSyncReplicas;

    // guarded by `this`; requests never take this lock, only start and stop do
    private RegistryState state;
    private WebServer server;
    private volatile String url;
    private volatile boolean ready;

    public EmbeddedSchemaRegistry(String bootstrapServers, int port, Properties kafkaPassThrough) {
        this(bootstrapServers, "127.0.0.1", port, kafkaPassThrough);
    }

    /** @param host interface to listen on; loopback only (it has no token), anything else is refused at start */
    public EmbeddedSchemaRegistry(String bootstrapServers, String host, int port, Properties kafkaPassThrough) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("embedded.registry.port must be 0..65535, got " + port);
        }
        this.bootstrapServers = bootstrapServers;
        this.host = host;
        this.requestedPort = port;
        this.kafkaPassThrough = new Properties();
        if (kafkaPassThrough != null) {
            this.kafkaPassThrough.putAll(kafkaPassThrough);
        }
    }

    /**
     * How the schemas topic is replicated when this registry creates it (by default as the broker's defaults
     * say): as the pipeline's topics, {@code topic.replication.factor} and {@code topic.min.insync.replicas}.
     *
     * @param minInSyncReplicas null for the broker default
     */
    public EmbeddedSchemaRegistry replicatedAs(short replicas, String minInSyncReplicas) {
        this.replication = Optional.of(replicas);
        this.minInSyncReplicas = minInSyncReplicas;
        return this;
    }

    @Override
    public String name() {
        return "embedded-schema-registry";
    }

    @Override
    public synchronized void start() {
        if (server != null) {
            return;
        }
        RegistryState newState = new RegistryState(new SchemaStore(bootstrapServers, kafkaPassThrough, replication,
                minInSyncReplicas));
        // Bind first: a busy port is the likeliest mistake and should not wait on Kafka timeouts.
        WebServer bound = RegistryHttp.start(host, requestedPort, newState);
        try {
            newState.load();
        } catch (RuntimeException e) {
            bound.close();
            newState.close();
            throw e;
        }
        state = newState;
        server = bound;
        url = bound.baseUrl();
        ready = true;
        log.info("Embedded schema registry at {} ({} schemas in {} subjects loaded from {})", url,
                state.schemaCount(), state.subjectCount(), Topics.SCHEMAS_TOPIC);
    }

    @Override
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        ready = false;
        server.close();
        server = null;
        // after the server, which lets requests in flight finish writing to the topic
        state.close();
        log.info("Embedded schema registry at {} stopped", url);
    }

    @Override
    public boolean isReady() {
        return ready;
    }

    /** Base URL, e.g. {@code http://127.0.0.1:8081}; only valid after {@link #start()}. */
    public String url() {
        String u = url;
        if (u == null) {
            throw new IllegalStateException("Embedded schema registry has not been started");
        }
        return u;
    }

    /** Number of registered versions across all subjects; for diagnostics. */
    public synchronized int versionCount() {
        return state == null ? 0 : state.versionCount();
    }
}
