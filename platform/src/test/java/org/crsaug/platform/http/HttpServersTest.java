package org.crsaug.platform.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The error mapping every server shares, seen from a real client on a real socket. */
class HttpServersTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static WebServer server;

    @BeforeAll
    static void start() {
        server = HttpServers.builder("test server").port(0).maxBodyBytes(1000).start(routes -> {
            routes.post("/echo", ctx -> ctx.json(HttpServers.jsonBody(ctx)));
            routes.post("/typed", ctx -> ctx.json(ctx.bodyAsClass(Map.class)));
            routes.get("/refused", ctx -> {
                throw new HttpError(409, "already there");
            });
            routes.get("/broken", ctx -> {
                throw new IllegalStateException("a bug");
            });
        });
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String error(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));
        JsonNode body = HttpServers.JSON.readTree(r.body());
        return body.path("error").asText();
    }

    @Test
    void answersJsonWithTheSharedMapper() throws Exception {
        HttpResponse<String> ok = send("POST", "/echo", "{\"a\": [1, 2]}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{\"a\":[1,2]}");
        assertThat(server.port()).isPositive();
        assertThat(server.baseUrl()).isEqualTo("http://127.0.0.1:" + server.port());
    }

    @Test
    void aMalformedBodyIs400NamingTheProblem() throws Exception {
        for (String path : new String[] {"/echo", "/typed"}) {
            HttpResponse<String> r = send("POST", path, "{\"a\": [1, 2");
            assertThat(r.statusCode()).as(path).isEqualTo(400);
            assertThat(error(r)).as(path).startsWith("The request body is not JSON: ")
                    .containsIgnoringCase("end-of-input");
        }
        HttpResponse<String> wrongShape = send("POST", "/typed", "[1, 2]");
        assertThat(wrongShape.statusCode()).isEqualTo(400);
        assertThat(error(wrongShape)).contains("not JSON");
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        HttpResponse<String> r = send("POST", "/echo", "{\"a\": \"" + "x".repeat(2000) + "\"}");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(error(r)).isEqualTo("The request body is larger than 1000 bytes");
    }

    @Test
    void unknownPathsAre404AndWrongMethods405() throws Exception {
        HttpResponse<String> missing = send("GET", "/no/such/path", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(error(missing)).contains("GET /no/such/path");

        HttpResponse<String> wrongMethod = send("GET", "/echo", null);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(error(wrongMethod)).contains("GET", "/echo", "POST");
    }

    @Test
    void refusalsKeepTheirStatusAndBugsAre500() throws Exception {
        HttpResponse<String> refused = send("GET", "/refused", null);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(error(refused)).isEqualTo("already there");

        HttpResponse<String> broken = send("GET", "/broken", null);
        assertThat(broken.statusCode()).isEqualTo(500);
        assertThat(error(broken)).contains("a bug");
    }

    @Test
    void aServerCanAnswerErrorsInItsOwnProtocol() throws Exception {
        ErrorFormat confluentLike = new ErrorFormat("application/vnd.test+json",
                (status, code, message) -> Map.of("error_code", code, "message", message));
        try (WebServer own = HttpServers.builder("own").errors(confluentLike).start(routes -> routes.get("/x",
                ctx -> {
                    throw new HttpError(404, 40401, "Subject 'x' not found.");
                }))) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(own.baseUrl() + "/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/vnd.test+json");
            JsonNode body = HttpServers.JSON.readTree(r.body());
            assertThat(body.path("error_code").asInt()).isEqualTo(40401);
            assertThat(body.path("message").asText()).isEqualTo("Subject 'x' not found.");
        }
    }

    @Test
    void aBusyPortNamesWhatToChange() {
        assertThatThrownBy(() -> HttpServers.builder("second").port(server.port()).whenPortBusy("use --port N")
                .start(routes -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("in use").hasMessageContaining(String.valueOf(server.port()))
                .hasMessageContaining("--port N");
    }
}
