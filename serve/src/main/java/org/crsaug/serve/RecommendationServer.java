package org.crsaug.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.crsaug.data.dataset.DialogueJson;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Dialogue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of {@link RecommendationEngine}: {@code POST /api/recommend} with a dialogue in the
 * simple JSON format (dialogueId optional, plus an optional {@code k}), {@code GET /api/status}, the
 * health endpoints and a chat page at {@code /}.
 */
public final class RecommendationServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecommendationServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_BYTES = 1 << 20;
    private static final String REQUEST_DIALOGUE_ID = "serve:request";
    /** Encoding plus scoring time of answered requests, with percentiles for dashboards. */
    private static final io.micrometer.core.instrument.Timer LATENCY = io.micrometer.core.instrument.Timer
            .builder("crs.serve.recommendation").publishPercentiles(0.5, 0.95, 0.99)
            .register(org.crsaug.platform.metrics.CrsMetrics.registry());

    private final RecommendationEngine engine;
    private final HttpServer server;
    private final ExecutorService executor;

    private RecommendationServer(RecommendationEngine engine, HttpServer server, ExecutorService executor) {
        this.engine = engine;
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IllegalStateException naming the setting to change when the port is taken
     */
    public static RecommendationServer start(RecommendationEngine engine) {
        ServeSettings s = engine.settings();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(s.host(), s.port()), 0);
        } catch (BindException e) {
            throw new IllegalStateException("Cannot listen on " + s.host() + ":" + s.port() + " (" + e.getMessage()
                    + "); the port is probably in use: pick another with --port N (or --set serve.port=N, 0 = any"
                    + " free port)");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the HTTP server on " + s.host() + ":" + s.port(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "serve-http");
            t.setDaemon(true);
            return t;
        });
        RecommendationServer rs = new RecommendationServer(engine, server, executor);
        server.createContext("/", rs::page);
        server.createContext("/api/recommend", rs::recommend);
        server.createContext("/api/status", rs::status);
        server.createContext("/metrics", ex -> {
            byte[] text = org.crsaug.platform.metrics.CrsMetrics.registry().scrape().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ex.sendResponseHeaders(200, text.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(text);
            }
        });
        server.createContext("/health/live", ex -> rs.send(ex, 200, Map.of("status", "UP")));
        server.createContext("/health/ready", ex -> rs.send(ex, engine.isReady() ? 200 : 503,
                Map.of("status", engine.isReady() ? "UP" : "DOWN")));
        server.setExecutor(executor);
        server.start();
        return rs;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://" + engine.settings().host() + ":" + port() + "/";
    }

    private void page(HttpExchange ex) throws IOException {
        if (!ex.getRequestURI().getPath().equals("/")) {
            send(ex, 404, Map.of("error", "No such page: " + ex.getRequestURI().getPath()
                    + "; the API is POST /api/recommend and GET /api/status"));
            return;
        }
        byte[] html;
        try (InputStream in = RecommendationServer.class.getResourceAsStream("/serve/index.html")) {
            html = in.readAllBytes();
        }
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.sendResponseHeaders(200, html.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(html);
        }
    }

    private void recommend(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            send(ex, 405, Map.of("error", "Use POST with a JSON dialogue: {\"turns\": [{\"role\": \"SEEKER\", "
                    + "\"text\": \"...\", \"items\": []}], \"k\": 10}"));
            return;
        }
        try {
            byte[] body = ex.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                send(ex, 413, Map.of("error", "The dialogue is larger than " + MAX_BODY_BYTES + " bytes"));
                return;
            }
            JsonNode node;
            try {
                node = JSON.readTree(body);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("The body is not JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("Expected a JSON object with 'turns'");
            }
            ObjectNode request = (ObjectNode) node;
            int k = engine.settings().defaultK();
            JsonNode kNode = request.remove("k");
            if (kNode != null && !kNode.isNull()) {
                if (!kNode.canConvertToInt() || !kNode.isIntegralNumber()) {
                    throw new IllegalArgumentException("'k' must be an integer, got " + kNode);
                }
                k = kNode.intValue();
            }
            if (!request.hasNonNull("dialogueId")) {
                request.put("dialogueId", REQUEST_DIALOGUE_ID);
            }
            Dialogue dialogue = DialogueJson.parse(JSON.writeValueAsString(request), engine.settings().dataset(),
                    engine.titles());
            long started = System.nanoTime();
            RecommendationEngine.Recommendation rec = engine.recommend(dialogue.getTurns(), k);
            LATENCY.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            send(ex, 200, rec);
        } catch (IllegalArgumentException e) {
            send(ex, 400, Map.of("error", e.getMessage()));
        } catch (IllegalStateException e) {
            send(ex, 503, Map.of("error", e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("Recommendation failed", e);
            send(ex, 500, Map.of("error", "Internal error: " + e + " (details in the log file)"));
        }
    }

    private void status(HttpExchange ex) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        Checkpoint cp = engine.servedCheckpoint();
        out.put("ready", engine.isReady());
        out.put("dataset", engine.settings().dataset());
        out.put("selectionMetric", engine.settings().selectionMetric());
        out.put("checkpointId", cp == null ? null : cp.getCheckpointId());
        out.put("mode", cp == null ? null : cp.getMode());
        out.put("metrics", cp == null ? Map.of() : new LinkedHashMap<>(cp.getMetrics()));
        out.put("lastRejection", engine.lastRejection());
        send(ex, 200, out);
    }

    private void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
