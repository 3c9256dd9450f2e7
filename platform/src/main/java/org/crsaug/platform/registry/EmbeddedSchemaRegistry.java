package org.crsaug.platform.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
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
import org.crsaug.platform.service.Service;
import org.crsaug.platform.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small schema registry speaking the subset of the Confluent REST API the pipeline and
 * Confluent-compatible clients use, so a laptop run needs no extra server. Its state lives in the
 * compacted topic {@link Topics#SCHEMAS_TOPIC} (one partition, replayed on start), so ids stay
 * stable across restarts and records written earlier stay readable.
 *
 * <p>Like Confluent's registry it assumes a single writer per Kafka cluster: two instances
 * registering new schemas at the same moment could hand out the same id.
 */
public final class EmbeddedSchemaRegistry implements Service {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> LEVELS = Set.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
            "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");
    private static final TopicPartition PARTITION = new TopicPartition(Topics.SCHEMAS_TOPIC, 0);

    private final String bootstrapServers;
    private final String host;
    private final int requestedPort;
    private final Properties kafkaPassThrough;

    // Everything below is guarded by `this`.
    private final Map<String, TreeMap<Integer, Version>> subjects = new TreeMap<>();
    private final Map<Integer, String> schemaById = new HashMap<>();
    private final Map<String, Integer> idBySchema = new HashMap<>();
    private int maxId;
    private String compatibility = "BACKWARD";
    private KafkaProducer<String, String> producer;
    private KafkaConsumer<String, String> consumer;

    private HttpServer server;
    private ExecutorService executor;
    private volatile String url;
    private volatile boolean ready;

    private record Version(String subject, int version, int id, String schema) {
    }

    /** A request the registry refuses, with Confluent's status and error code. */
    private static final class RestError extends RuntimeException {
        final int status;
        final int code;

        RestError(int status, int code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    public EmbeddedSchemaRegistry(String bootstrapServers, int port, Properties kafkaPassThrough) {
        this(bootstrapServers, "127.0.0.1", port, kafkaPassThrough);
    }

    /** @param host interface to listen on; anything but loopback exposes an unauthenticated API */
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

    @Override
    public String name() {
        return "embedded-schema-registry";
    }

    @Override
    public synchronized void start() {
        if (server != null) {
            return;
        }
        // Bind first: a busy port is the likeliest mistake and should not wait on Kafka timeouts.
        HttpServer bound = bind();
        try {
            ensureTopic();
            producer = new KafkaProducer<>(producerProps(), new StringSerializer(), new StringSerializer());
            consumer = new KafkaConsumer<>(consumerProps(), new StringDeserializer(), new StringDeserializer());
            consumer.assign(List.of(PARTITION));
            consumer.seekToBeginning(List.of(PARTITION));
            catchUp();
        } catch (RuntimeException e) {
            bound.stop(0);
            closeClients();
            throw e;
        }
        server = bound;
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "schema-registry-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        url = "http://" + host + ":" + server.getAddress().getPort();
        ready = true;
        log.info("Embedded schema registry at {} ({} schemas in {} subjects loaded from {})", url,
                schemaById.size(), subjects.size(), Topics.SCHEMAS_TOPIC);
    }

    @Override
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        ready = false;
        server.stop(0);
        executor.shutdownNow();
        server = null;
        closeClients();
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

    // ---------------------------------------------------------------- Kafka store

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
            NewTopic topic = new NewTopic(Topics.SCHEMAS_TOPIC, Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
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

    private void closeClients() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
            consumer = null;
        }
    }

    /** Applies every record up to the current end of the schema topic. */
    private synchronized void catchUp() {
        long end = consumer.endOffsets(List.of(PARTITION), KAFKA_TIMEOUT).get(PARTITION);
        long deadline = System.nanoTime() + KAFKA_TIMEOUT.toNanos();
        while (consumer.position(PARTITION, KAFKA_TIMEOUT) < end) {
            if (System.nanoTime() > deadline) {
                throw new RestError(500, 50002, "Timed out reading " + Topics.SCHEMAS_TOPIC + " from Kafka at "
                        + bootstrapServers);
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                apply(r.key(), r.value());
            }
        }
    }

    private void apply(String key, String value) {
        try {
            JsonNode k = JSON.readTree(key);
            String type = k.path("keytype").asText();
            if ("CONFIG".equals(type)) {
                if (value != null) {
                    compatibility = JSON.readTree(value).path("compatibilityLevel").asText(compatibility);
                }
            } else if ("SCHEMA".equals(type)) {
                String subject = k.path("subject").asText();
                int version = k.path("version").asInt();
                if (value == null) {
                    TreeMap<Integer, Version> versions = subjects.get(subject);
                    if (versions != null) {
                        versions.remove(version);
                    }
                    return;
                }
                JsonNode v = JSON.readTree(value);
                remember(new Version(subject, version, v.path("id").asInt(), v.path("schema").asText()));
            }
        } catch (IOException e) {
            log.warn("Skipping unreadable record in {}: {}", Topics.SCHEMAS_TOPIC, e.getMessage());
        }
    }

    private void remember(Version v) {
        subjects.computeIfAbsent(v.subject(), s -> new TreeMap<>()).put(v.version(), v);
        schemaById.put(v.id(), v.schema());
        idBySchema.putIfAbsent(v.schema(), v.id());
        maxId = Math.max(maxId, v.id());
    }

    private void write(ObjectNode key, ObjectNode value) {
        try {
            producer.send(new ProducerRecord<>(Topics.SCHEMAS_TOPIC, 0, key.toString(), value.toString()))
                    .get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new RestError(500, 50001, "Could not store the schema in " + Topics.SCHEMAS_TOPIC + ": "
                    + (e.getCause() != null ? e.getCause() : e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestError(500, 50001, "Interrupted while storing the schema");
        }
    }

    // ---------------------------------------------------------------- operations

    private synchronized ObjectNode register(String subject, JsonNode body) {
        Schema schema = parseSchema(body);
        String text = schema.toString();
        catchUp();
        TreeMap<Integer, Version> versions = subjects.getOrDefault(subject, new TreeMap<>());
        for (Version v : versions.values()) {
            if (v.schema().equals(text)) {
                return JSON.createObjectNode().put("id", v.id());
            }
        }
        List<String> problems = check(compatibility, schema, versions.values().stream()
                .map(v -> parse(v.schema())).toList());
        if (!problems.isEmpty()) {
            throw new RestError(409, 409, "Schema being registered is incompatible with an earlier schema for"
                    + " subject \"" + subject + "\" under compatibility " + compatibility + ": "
                    + String.join("; ", problems));
        }
        int id = idBySchema.getOrDefault(text, maxId + 1);
        int version = versions.isEmpty() ? 1 : versions.lastKey() + 1;
        ObjectNode key = JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", subject)
                .put("version", version).put("magic", 1);
        ObjectNode value = JSON.createObjectNode().put("subject", subject).put("version", version).put("id", id)
                .put("schema", text);
        write(key, value);
        remember(new Version(subject, version, id, text));
        log.info("Registered schema id {} as version {} of subject {}", id, version, subject);
        return JSON.createObjectNode().put("id", id);
    }

    private synchronized ObjectNode lookup(String subject, JsonNode body) {
        Schema schema = parseSchema(body);
        String text = schema.toString();
        TreeMap<Integer, Version> versions = subjectVersions(subject);
        for (Version v : versions.values()) {
            if (v.schema().equals(text)) {
                return describe(v);
            }
        }
        throw new RestError(404, 40403, "Schema not found under subject \"" + subject + "\"");
    }

    private synchronized ObjectNode compatibility(String subject, String versionRef, JsonNode body,
            boolean verbose) {
        Schema schema = parseSchema(body);
        List<Schema> against;
        if (isLatest(versionRef)) {
            against = subjectVersions(subject).values().stream().map(v -> parse(v.schema())).toList();
        } else {
            against = List.of(parse(version(subject, versionRef).schema()));
        }
        List<String> problems = check(compatibility, schema, against);
        ObjectNode answer = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
        if (verbose) {
            ArrayNode messages = answer.putArray("messages");
            problems.forEach(messages::add);
        }
        return answer;
    }

    private synchronized ObjectNode putConfig(JsonNode body) {
        String level = body == null ? "" : body.path("compatibility").asText("").toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw new RestError(422, 42203, "Invalid compatibility level '" + level + "'; valid levels are "
                    + new java.util.TreeSet<>(LEVELS));
        }
        catchUp();
        write(JSON.createObjectNode().put("keytype", "CONFIG").put("magic", 0),
                JSON.createObjectNode().put("compatibilityLevel", level));
        compatibility = level;
        return JSON.createObjectNode().put("compatibility", level);
    }

    private synchronized TreeMap<Integer, Version> subjectVersions(String subject) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            // another writer may have added it since we last read the topic
            catchUp();
            versions = subjects.get(subject);
        }
        if (versions == null || versions.isEmpty()) {
            throw new RestError(404, 40401, "Subject '" + subject + "' not found.");
        }
        return versions;
    }

    private synchronized Version version(String subject, String ref) {
        TreeMap<Integer, Version> versions = subjectVersions(subject);
        if (isLatest(ref)) {
            return versions.lastEntry().getValue();
        }
        int n;
        try {
            n = Integer.parseInt(ref);
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n <= 0) {
            throw new RestError(422, 42202, "The specified version '" + ref + "' is not a valid version id."
                    + " Allowed values are between [1, 2^31-1] and the string \"latest\"");
        }
        Version v = versions.get(n);
        if (v == null) {
            throw new RestError(404, 40402, "Version " + n + " not found.");
        }
        return v;
    }

    private synchronized String schemaById(String ref) {
        int id;
        try {
            id = Integer.parseInt(ref);
        } catch (NumberFormatException e) {
            throw new RestError(404, 40403, "Schema " + ref + " not found");
        }
        String s = schemaById.get(id);
        if (s == null) {
            catchUp();
            s = schemaById.get(id);
        }
        if (s == null) {
            throw new RestError(404, 40403, "Schema " + id + " not found");
        }
        return s;
    }

    private static boolean isLatest(String ref) {
        return "latest".equals(ref) || "-1".equals(ref);
    }

    private static ObjectNode describe(Version v) {
        return JSON.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id())
                .put("schema", v.schema());
    }

    /**
     * Problems found when checking {@code candidate} against earlier versions (oldest first) under a
     * Confluent compatibility level; empty means compatible. Non-transitive levels look only at the
     * newest version, as Confluent does.
     */
    static List<String> check(String level, Schema candidate, List<Schema> earlier) {
        if (earlier.isEmpty() || "NONE".equals(level)) {
            return List.of();
        }
        List<Schema> targets = level.endsWith("_TRANSITIVE") ? earlier : List.of(earlier.get(earlier.size() - 1));
        boolean backward = level.startsWith("BACKWARD") || level.startsWith("FULL");
        boolean forward = level.startsWith("FORWARD") || level.startsWith("FULL");
        List<String> problems = new ArrayList<>();
        for (Schema old : targets) {
            if (backward) {
                describeProblems(candidate, old, "new schema cannot read data written with an earlier one",
                        problems);
            }
            if (forward) {
                describeProblems(old, candidate, "an earlier schema cannot read data written with the new one",
                        problems);
            }
        }
        return problems;
    }

    private static void describeProblems(Schema reader, Schema writer, String what, List<String> into) {
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        List<String> details = new ArrayList<>();
        for (Incompatibility i : result.getResult().getIncompatibilities()) {
            details.add(i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")");
        }
        into.add(what + ": " + String.join(", ", details));
    }

    private static Schema parseSchema(JsonNode body) {
        if (body == null || !body.hasNonNull("schema") || body.get("schema").asText().isBlank()) {
            throw new RestError(422, 42201, "Empty schema");
        }
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw new RestError(422, 42201, "Only AVRO schemas are supported by this registry, got " + type);
        }
        if (body.has("references") && body.get("references").size() > 0) {
            throw new RestError(422, 42201, "Schema references are not supported by this registry");
        }
        try {
            return new Schema.Parser().parse(body.get("schema").asText());
        } catch (RuntimeException e) {
            // Avro 1.12 reports some mistakes (an unknown type name) as NullPointerException
            throw new RestError(422, 42201, "Invalid schema: " + e.getMessage());
        }
    }

    private static Schema parse(String stored) {
        return new Schema.Parser().parse(stored);
    }

    // ---------------------------------------------------------------- HTTP

    private HttpServer bind() {
        try {
            return HttpServer.create(new InetSocketAddress(host, requestedPort), 0);
        } catch (BindException e) {
            throw new IllegalStateException("Port " + requestedPort + " on " + host + " is already in use, so the"
                    + " embedded schema registry cannot listen there. Stop the process holding it or choose"
                    + " another port with embedded.registry.port (--set embedded.registry.port=<port>, or 0 for"
                    + " any free port).", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Embedded schema registry cannot listen on " + host + ":"
                    + requestedPort, e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int status = 200;
            JsonNode answer;
            try {
                answer = route(exchange);
            } catch (RestError e) {
                status = e.status;
                answer = JSON.createObjectNode().put("error_code", e.code).put("message", e.getMessage());
            } catch (RuntimeException e) {
                log.warn("Schema registry request {} {} failed", exchange.getRequestMethod(),
                        exchange.getRequestURI(), e);
                status = 500;
                answer = JSON.createObjectNode().put("error_code", 50001).put("message", "Error in the backend"
                        + " data store: " + e);
            }
            byte[] bytes = JSON.writeValueAsBytes(answer);
            exchange.getResponseHeaders().set("Content-Type", HttpSchemaRegistryClient.CONTENT_TYPE);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private JsonNode route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        List<String> path = segments(exchange.getRequestURI().getRawPath());
        String query = Optional.ofNullable(exchange.getRequestURI().getQuery()).orElse("");
        int n = path.size();
        String first = n > 0 ? path.get(0) : "";

        if (n == 0) {
            requireMethod(method, "GET");
            return JSON.createObjectNode();
        }
        if (first.equals("subjects")) {
            if (n == 1) {
                requireMethod(method, "GET");
                ArrayNode names = JSON.createArrayNode();
                synchronized (this) {
                    subjects.forEach((s, v) -> {
                        if (!v.isEmpty()) {
                            names.add(s);
                        }
                    });
                }
                return names;
            }
            String subject = path.get(1);
            if (n == 2) {
                requireMethod(method, "POST");
                return lookup(subject, readBody(exchange));
            }
            if (path.get(2).equals("versions")) {
                if (n == 3 && method.equals("POST")) {
                    return register(subject, readBody(exchange));
                }
                if (n == 3) {
                    requireMethod(method, "GET");
                    ArrayNode list = JSON.createArrayNode();
                    subjectVersions(subject).keySet().forEach(list::add);
                    return list;
                }
                if (n == 4) {
                    requireMethod(method, "GET");
                    return describe(version(subject, path.get(3)));
                }
                if (n == 5 && path.get(4).equals("schema")) {
                    requireMethod(method, "GET");
                    return JSON.readTree(version(subject, path.get(3)).schema());
                }
            }
        } else if (first.equals("schemas") && n == 3 && path.get(1).equals("ids")) {
            requireMethod(method, "GET");
            return JSON.createObjectNode().put("schema", schemaById(path.get(2)));
        } else if (first.equals("compatibility") && n == 5 && path.get(1).equals("subjects")
                && path.get(3).equals("versions")) {
            requireMethod(method, "POST");
            return compatibility(path.get(2), path.get(4), readBody(exchange), query.contains("verbose=true"));
        } else if (first.equals("config") && n == 1) {
            if (method.equals("PUT")) {
                return putConfig(readBody(exchange));
            }
            requireMethod(method, "GET");
            synchronized (this) {
                return JSON.createObjectNode().put("compatibilityLevel", compatibility);
            }
        }
        throw new RestError(404, 404, "HTTP 404 Not Found");
    }

    private static void requireMethod(String actual, String expected) {
        if (!actual.equals(expected)) {
            throw new RestError(405, 405, "HTTP 405 Method Not Allowed");
        }
    }

    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static JsonNode readBody(HttpExchange exchange) {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readAllBytes();
            if (bytes.length == 0) {
                return null;
            }
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new RestError(400, 400, "Request body is not valid JSON: " + e.getMessage());
        }
    }

    /** Number of registered versions across all subjects; for diagnostics. */
    public synchronized int versionCount() {
        return subjects.values().stream().mapToInt(Map::size).sum();
    }
}
