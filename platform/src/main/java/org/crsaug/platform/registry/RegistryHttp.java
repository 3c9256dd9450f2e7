package org.crsaug.platform.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.crsaug.platform.http.ErrorFormat;
import org.crsaug.platform.http.HttpServers;
import org.crsaug.platform.http.WebServer;

/**
 * The subset of Confluent's REST protocol the pipeline and Confluent-compatible clients use, mapped
 * onto {@link RegistryState}: Confluent's paths, its content type on every answer and its error
 * bodies ({@code {"error_code": 40401, "message": "..."}}).
 */
final class RegistryHttp {

    private static final String CONTENT_TYPE = HttpSchemaRegistryClient.CONTENT_TYPE;

    /** Confluent reports failures it did not foresee as a backend store error. */
    private static final ErrorFormat CONFLUENT_ERRORS = new ErrorFormat(CONTENT_TYPE, (status, code, message) -> {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error_code", code == 500 ? 50001 : code);
        body.put("message", message);
        return body;
    });

    private RegistryHttp() {
    }

    /** Binds {@code host:port}; the state may still be loading, and says so to requests until it is done. */
    static WebServer start(String host, int port, RegistryState state) {
        // no token setting: the registry answers the pipeline on this machine (crs up's guests), so it stays on
        // loopback; a registry for other machines is an external one (schema.registry.url)
        return HttpServers.builder("embedded schema registry").host(host).port(port).maxThreads(16)
                .hostSettings("its host", null)
                .errors(CONFLUENT_ERRORS)
                .whenPortBusy("stop the process holding it or choose another port with embedded.registry.port"
                        + " (--set embedded.registry.port=<port>, or 0 for any free port; for crs up: --registry-port"
                        + " <port>)")
                .start(routes -> routes(routes, state));
    }

    private static void routes(RoutesConfig routes, RegistryState state) {
        routes.get("/", ctx -> answer(ctx, Map.of()));
        routes.get("/subjects", ctx -> answer(ctx, state.subjects()));
        routes.post("/subjects/{subject}", ctx -> {
            Schema schema = schema(ctx);
            answer(ctx, describe(state.lookup(ctx.pathParam("subject"), schema)));
        });
        routes.post("/subjects/{subject}/versions", ctx -> {
            Schema schema = schema(ctx);
            answer(ctx, Map.of("id", state.register(ctx.pathParam("subject"), schema)));
        });
        routes.get("/subjects/{subject}/versions", ctx -> answer(ctx, state.versions(ctx.pathParam("subject"))));
        routes.get("/subjects/{subject}/versions/{version}",
                ctx -> answer(ctx, describe(state.version(ctx.pathParam("subject"), ctx.pathParam("version")))));
        routes.get("/subjects/{subject}/versions/{version}/schema", ctx -> ctx.contentType(CONTENT_TYPE)
                .result(state.version(ctx.pathParam("subject"), ctx.pathParam("version")).schema()));
        routes.get("/schemas/ids/{id}", ctx -> answer(ctx, Map.of("schema", state.schemaById(ctx.pathParam("id")))));
        routes.post("/compatibility/subjects/{subject}/versions/{version}", ctx -> {
            Schema schema = schema(ctx);
            List<String> problems = state.compatibilityProblems(ctx.pathParam("subject"), ctx.pathParam("version"),
                    schema);
            ObjectNode verdict = HttpServers.JSON.createObjectNode().put("is_compatible", problems.isEmpty());
            if ("true".equals(ctx.queryParam("verbose"))) {
                ArrayNode messages = verdict.putArray("messages");
                problems.forEach(messages::add);
            }
            answer(ctx, verdict);
        });
        routes.get("/config", ctx -> answer(ctx, Map.of("compatibilityLevel", state.compatibility())));
        routes.put("/config", ctx -> {
            JsonNode body = HttpServers.jsonBody(ctx);
            String level = body == null ? "" : body.path("compatibility").asText("");
            answer(ctx, Map.of("compatibility", state.setCompatibility(level)));
        });
    }

    private static void answer(Context ctx, Object body) throws JsonProcessingException {
        ctx.contentType(CONTENT_TYPE).result(HttpServers.JSON.writeValueAsString(body));
    }

    private static Map<String, Object> describe(SchemaVersion v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("subject", v.subject());
        out.put("version", v.version());
        out.put("id", v.id());
        out.put("schema", v.schema());
        return out;
    }

    /** The schema a request body carries, refused with Confluent's 42201 unless it is plain Avro. */
    private static Schema schema(Context ctx) {
        JsonNode body = HttpServers.jsonBody(ctx);
        if (body == null || !body.hasNonNull("schema") || body.get("schema").asText().isBlank()) {
            throw RegistryErrors.invalidSchema("Empty schema");
        }
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw RegistryErrors.invalidSchema("Only AVRO schemas are supported by this registry, got " + type);
        }
        if (body.has("references") && body.get("references").size() > 0) {
            throw RegistryErrors.invalidSchema("Schema references are not supported by this registry");
        }
        try {
            return new Schema.Parser().parse(body.get("schema").asText());
        } catch (RuntimeException e) {
            // Avro 1.12 reports some mistakes (an unknown type name) as NullPointerException
            throw RegistryErrors.invalidSchema("Invalid schema: " + e.getMessage());
        }
    }
}
