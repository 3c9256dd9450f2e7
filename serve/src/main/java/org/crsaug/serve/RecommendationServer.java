package org.crsaug.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.crsaug.data.dataset.DialogueJson;
import org.crsaug.platform.http.HttpError;
import org.crsaug.platform.http.HttpServers;
import org.crsaug.platform.http.WebServer;
import org.crsaug.platform.metrics.CrsMetrics;
import org.crsaug.platform.metrics.MetricsServer;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Dialogue;

/**
 * The HTTP face of {@link RecommendationEngine}: {@code POST /api/recommend} with a dialogue in the
 * simple JSON format (dialogueId optional, plus an optional {@code k}), {@code GET /api/status}, the
 * health endpoints and a chat page at {@code /}; and of the pipeline's read side ({@link PipelineViews}):
 * {@code GET /api/dialogues/<id>}, {@code GET /api/checkpoints} and the dashboard at {@code /dashboard}.
 */
public final class RecommendationServer implements AutoCloseable {

    private static final ObjectMapper JSON = HttpServers.JSON;
    private static final String REQUEST_DIALOGUE_ID = "serve:request";
    /** The script both pages share: the token from the page's URL into every fetch. */
    static final String TOKEN_SCRIPT_PATH = "/token.js";
    /** Encoding plus scoring time of answered requests, with percentiles for dashboards. */
    private static final Timer LATENCY = Timer.builder("crs.serve.recommendation")
            .publishPercentiles(0.5, 0.95, 0.99).register(CrsMetrics.registry());

    private final RecommendationEngine engine;
    private final PipelineViews views;
    private final byte[] page;
    private final byte[] tokenScript;
    private WebServer server;

    private RecommendationServer(RecommendationEngine engine) {
        this.engine = engine;
        this.views = new PipelineViews(engine.platform());
        this.page = resource("/serve/index.html");
        this.tokenScript = resource("/serve" + TOKEN_SCRIPT_PATH);
    }

    /**
     * Binds and starts serving.
     *
     * @throws IllegalStateException naming the setting to change when the port is taken
     */
    public static RecommendationServer start(RecommendationEngine engine) {
        return start(engine, null);
    }

    /** Also takes new dialogues in ({@code POST /api/dialogues}) when {@code intake} is given. */
    public static RecommendationServer start(RecommendationEngine engine, DialogueIntakeRoutes intake) {
        ServeSettings s = engine.settings();
        RecommendationServer rs = new RecommendationServer(engine);
        HttpServers.Builder builder = HttpServers.builder(ServeSettings.SERVER_NAME).host(s.host()).port(s.port())
                .hostSettings(ServeSettings.HOST_KEY + ", flag --host", ServeSettings.TOKEN_KEY).bearerToken(s.token())
                // the pages hold no data: they take the token from their URL and send it with each fetch
                .openPaths("/", "/dashboard", TOKEN_SCRIPT_PATH);
        if (intake != null) {
            builder.maxBodyBytes(intake.maxBodyBytes()).whenTooLarge(intake.tooLargeHint());
        }
        rs.server = builder
                .whenPortBusy("pick another with --port N (or --set serve.port=N, 0 = any free port)")
                .whenNotFound("the API is POST /api/recommend, POST /api/dialogues, GET /api/status, GET /api/dialogues/<id>,"
                        + " GET /api/checkpoints and GET /api/dashboard; pages are / and /dashboard")
                .start(routes -> {
                    routes.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(rs.page));
                    routes.get(TOKEN_SCRIPT_PATH, ctx -> ctx.contentType("text/javascript; charset=utf-8")
                            .result(rs.tokenScript));
                    routes.post("/api/recommend", rs::recommend);
                    routes.get("/api/status", rs::status);
                    DialogueViewRoutes.add(routes, rs.views, s.dataset());
                    CheckpointRoutes.add(routes, rs.views);
                    DashboardRoutes.add(routes, rs.views);
                    MetricsServer.addRoutes(routes, () -> true, () -> engine.cannotRecommend().isEmpty());
                    if (intake != null) {
                        intake.addRoutes(routes);
                    }
                });
        // only once the port is bound: a busy port must fail before any topic is followed
        rs.views.start();
        return rs;
    }

    public int port() {
        return server.port();
    }

    public String url() {
        return server.baseUrl() + "/";
    }

    /** A page of this module's resources (the chat page, the dashboard). */
    static byte[] resource(String path) {
        try (InputStream in = RecommendationServer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("The page " + path + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the page " + path, e);
        }
    }

    private void recommend(Context ctx) throws IOException {
        JsonNode node = HttpServers.jsonBody(ctx);
        if (node == null || !node.isObject()) {
            throw new HttpError(400, "Expected a JSON object with 'turns'");
        }
        ObjectNode request = (ObjectNode) node;
        try {
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
            LATENCY.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            ctx.json(rec);
        } catch (IllegalArgumentException e) {
            // the dialogue parser and the engine say what is wrong with a request this way
            throw new HttpError(400, e.getMessage());
        } catch (IllegalStateException e) {
            // no checkpoint yet, or the served one is being replaced
            throw new HttpError(503, e.getMessage());
        }
    }

    private void status(Context ctx) {
        Map<String, Object> out = new LinkedHashMap<>();
        Checkpoint cp = engine.servedCheckpoint();
        java.util.Optional<String> notReady = engine.cannotRecommend();
        // ready means "POST /api/recommend answers now", as /health/ready does
        out.put("ready", notReady.isEmpty());
        out.put("notReadyBecause", notReady.orElse(null));
        out.put("dataset", engine.settings().dataset());
        out.put("selectionMetric", engine.settings().selectionMetric());
        out.put("checkpointId", cp == null ? null : cp.getCheckpointId());
        out.put("mode", cp == null ? null : cp.getMode());
        out.put("metrics", cp == null ? Map.of() : new LinkedHashMap<>(cp.getMetrics()));
        out.put("lastRejection", engine.lastRejection());
        ctx.json(out);
    }

    @Override
    public void close() {
        server.close();
        views.close();
    }
}
