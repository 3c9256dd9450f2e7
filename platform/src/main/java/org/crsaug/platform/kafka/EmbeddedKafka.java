package org.crsaug.platform.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.crsaug.platform.service.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka (broker and controller in one process) for running the whole pipeline
 * on a laptop. The storage directory is formatted once and reused afterwards, so stopping and
 * starting again on the same directory keeps every topic and record.
 */
public final class EmbeddedKafka implements Service {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final Path dataDir;
    private final int requestedPort;
    private final Map<String, String> brokerOverrides;

    private KafkaRaftServer server;
    private volatile String bootstrapServers;
    private volatile boolean ready;

    public EmbeddedKafka(Path dataDir, int port) {
        this(dataDir, port, Map.of());
    }

    /** @param brokerOverrides broker settings applied last, e.g. {@code log.retention.hours} */
    public EmbeddedKafka(Path dataDir, int port, Map<String, String> brokerOverrides) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("embedded.kafka.port must be 0..65535, got " + port);
        }
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.requestedPort = port;
        this.brokerOverrides = Map.copyOf(brokerOverrides);
    }

    @Override
    public String name() {
        return "embedded-kafka";
    }

    @Override
    public synchronized void start() {
        if (server != null) {
            return;
        }
        Path logDir = dataDir.resolve("log");
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the embedded Kafka directory " + logDir, e);
        }
        // With no fixed port, the ports of the last start are taken again while they are free. On a new port the
        // restarted broker's transaction coordinator first sees the old address in the metadata log and cannot
        // reach itself there: it gives up on the commit markers of a transaction whose producer was killed while
        // committing ("Couldn't find leader endpoint ... likely deleted"), and the partitions it wrote stay
        // unreadable to committed readers, which stalled every later dialogue (UpKillTest, 2026-12-03).
        Properties last = lastPorts();
        int port = requestedPort == 0 ? reuseOrFree(last, BROKER_PORT_KEY) : requireFree(requestedPort);
        // The controller port is internal; only the broker port is part of the user's contract.
        int controllerPort = reuseOrFree(last, CONTROLLER_PORT_KEY);
        KafkaConfig config = new KafkaConfig(brokerProperties(logDir, port, controllerPort), false);

        boolean fresh = !Files.exists(logDir.resolve("meta.properties"));
        if (fresh) {
            format(config, logDir);
        }
        KafkaRaftServer s = null;
        try {
            // the constructor already reads the storage, so a locked or foreign directory fails here
            s = new KafkaRaftServer(config, Time.SYSTEM);
            s.startup();
        } catch (RuntimeException e) {
            if (s != null) {
                quietShutdown(s);
            }
            if (mentionsBind(e)) {
                throw new IllegalStateException(portInUse(port), e);
            }
            String hint = String.valueOf(e.getMessage()).contains("Failed to acquire lock")
                    ? " (another crs process, e.g. run or serve, is using this state directory: stop it, use another"
                    + " --state-dir, or point both at a cluster with --bootstrap-servers)"
                    : "";
            throw new IllegalStateException("Embedded Kafka failed to start on " + dataDir + ": " + e.getMessage()
                    + hint, e);
        }
        server = s;
        rememberPorts(port, controllerPort);
        bootstrapServers = HOST + ":" + port;
        ready = true;
        log.info("Embedded Kafka {} at {} (data in {})", fresh ? "started with new storage" : "restarted",
                bootstrapServers, dataDir);
    }

    @Override
    public synchronized void stop() {
        KafkaRaftServer s = server;
        if (s == null) {
            return;
        }
        ready = false;
        server = null;
        quietShutdown(s);
        log.info("Embedded Kafka at {} stopped", bootstrapServers);
    }

    @Override
    public boolean isReady() {
        return ready;
    }

    /** host:port of the running broker; only valid after {@link #start()}. */
    public String bootstrapServers() {
        String b = bootstrapServers;
        if (b == null) {
            throw new IllegalStateException("Embedded Kafka has not been started");
        }
        return b;
    }

    public Path dataDir() {
        return dataDir;
    }

    private Properties brokerProperties(Path logDir, int port, int controllerPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + "," + CONTROLLER_LISTENER + "://" + HOST + ":"
                + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        // one node: fewer internal partitions mean a much faster first consumer-group join
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.putAll(brokerOverrides);
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    private static void format(KafkaConfig config, Path logDir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(ps)
                    .setNodeId(config.nodeId())
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir.toString())
                    .addDirectory(logDir.toString())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format embedded Kafka storage in " + logDir + ": "
                    + e.getMessage(), e);
        }
        log.debug("Formatted {}: {}", logDir, out.toString(StandardCharsets.UTF_8).trim());
    }

    private static void quietShutdown(KafkaRaftServer s) {
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Embedded Kafka did not shut down cleanly: {}", e.toString());
        }
    }

    private static final String PORTS_FILE = "ports.properties";
    private static final String BROKER_PORT_KEY = "broker.port";
    private static final String CONTROLLER_PORT_KEY = "controller.port";

    /** The ports of the last start on this directory; empty when there was none or the file is unreadable. */
    private Properties lastPorts() {
        Properties p = new Properties();
        Path file = dataDir.resolve(PORTS_FILE);
        if (Files.exists(file)) {
            try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            } catch (IOException | IllegalArgumentException e) {
                log.warn("Ignoring {} ({}); the embedded broker takes any free port", file, e.toString());
                p.clear();
            }
        }
        return p;
    }

    private static int reuseOrFree(Properties last, String key) {
        try {
            int port = Integer.parseInt(last.getProperty(key, "0").trim());
            if (port > 0 && port <= 65535 && isFree(port)) {
                return port;
            }
        } catch (NumberFormatException e) {
            // a hand-edited file: any free port will do
        }
        return freePort();
    }

    /** Written after a successful start only, replaced atomically, so a crash never leaves half a file. */
    private void rememberPorts(int port, int controllerPort) {
        Path file = dataDir.resolve(PORTS_FILE);
        Path tmp = dataDir.resolve(PORTS_FILE + ".tmp");
        try {
            Files.writeString(tmp, "# the embedded broker's last ports, taken again at the next start while free\n"
                    + BROKER_PORT_KEY + "=" + port + "\n" + CONTROLLER_PORT_KEY + "=" + controllerPort + "\n",
                    StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // only a later restart's port choice depends on it
            log.warn("Could not record the embedded broker's ports in {}: {}", file, e.toString());
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free local port for embedded Kafka", e);
        }
    }

    // Checked up front because Kafka's own bind failure is buried in a long startup stack trace.
    private static int requireFree(int port) {
        if (!isFree(port)) {
            throw new IllegalStateException(portInUse(port));
        }
        return port;
    }

    static String portInUse(int port) {
        return "Port " + port + " on " + HOST + " is already in use, so the embedded Kafka broker cannot listen"
                + " there. Stop the process holding it or choose another port with embedded.kafka.port"
                + " (--set embedded.kafka.port=<port>, or 0 for any free port; for crs up: --kafka-port <port>).";
    }

    private static boolean mentionsBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException
                    || (t.getMessage() != null && t.getMessage().contains("failed to bind"))) {
                return true;
            }
        }
        return false;
    }
}
