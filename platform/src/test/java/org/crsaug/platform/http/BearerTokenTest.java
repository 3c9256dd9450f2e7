package org.crsaug.platform.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.junit.jupiter.api.Test;

/**
 * The one rule every HTTP server follows: bound beyond loopback it needs a bearer token, and with a token every
 * request but the health probes and a server's open pages must carry it. Seen from a real client on 0.0.0.0.
 */
class BearerTokenTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TOKEN = "tok-bearer-test-4c1d9e2a77";

    @Test
    void aServerBeyondLoopbackWithoutATokenIsRefusedNamingTheSettings() {
        HttpServers.Builder builder = HttpServers.builder("test server").host("0.0.0.0").port(0)
                .hostSettings("test.host", "test.api.token.env");
        assertThatThrownBy(() -> builder.start(routes -> routes.get("/x", ctx -> ctx.result("x"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listen on 0.0.0.0 (test.host)")
                .hasMessageContaining("set test.api.token.env to the name of an environment variable")
                .hasMessageContaining("or listen on 127.0.0.1");
        // a server without a token setting (the embedded registry) can only stay on loopback
        assertThatThrownBy(() -> HttpServers.builder("registry").host("0.0.0.0").port(0)
                .start(routes -> routes.get("/x", ctx -> ctx.result("x"))))
                .hasMessageContaining("has no token setting, so it must listen on 127.0.0.1");
        for (String loopback : new String[] {"127.0.0.1", "localhost", "::1"}) {
            assertThat(BearerToken.isLoopback(loopback)).as(loopback).isTrue();
        }
        assertThat(BearerToken.isLoopback("0.0.0.0")).isFalse();
        assertThat(BearerToken.isLoopback("no-such-host.invalid")).isFalse();
    }

    @Test
    void withATokenEveryRequestButProbesAndOpenPagesNeedsIt() throws Exception {
        try (WebServer server = HttpServers.builder("test server").host("0.0.0.0").port(0)
                .hostSettings("test.host", "test.api.token.env").bearerToken(BearerToken.of(TOKEN, "test.api.token.env"))
                .openPaths("/page")
                .start(routes -> {
                    routes.get("/api/data", ctx -> ctx.result("data"));
                    routes.get("/page", ctx -> ctx.result("page"));
                    routes.get("/health/live", ctx -> ctx.result("UP"));
                    routes.get("/health/ready", ctx -> ctx.result("UP"));
                })) {
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> none = get(base + "/api/data", null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(none.body()).contains("Authorization: Bearer <token>", "test.api.token.env")
                    .doesNotContain(TOKEN);
            HttpResponse<String> wrong = get(base + "/api/data", "Bearer " + TOKEN + "x");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.body()).doesNotContain(TOKEN);
            assertThat(get(base + "/api/data", "Basic " + TOKEN).statusCode()).isEqualTo(401);
            // an unknown path says nothing about which paths exist
            assertThat(get(base + "/api/nothing", null).statusCode()).isEqualTo(401);

            assertThat(get(base + "/api/data", "Bearer " + TOKEN).body()).isEqualTo("data");
            assertThat(get(base + "/api/data", "bearer  " + TOKEN).statusCode()).isEqualTo(200);
            assertThat(get(base + "/api/nothing", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
            for (String open : new String[] {"/health/live", "/health/ready", "/page"}) {
                assertThat(get(base + open, null).statusCode()).as(open).isEqualTo(200);
            }
        }
    }

    @Test
    void theTokenComesFromTheVariableTheSettingNamesAndNeverIntoAMessage() {
        CrsConfig config = CrsConfig.defaults().with("serve.api.token.env", "CRS_TEST_TOKEN_VAR");
        assertThat(BearerToken.fromConfig(CrsConfig.defaults(), "serve.api.token.env", Map.of(
                "CRS_TEST_TOKEN_VAR", TOKEN))).isEmpty();
        BearerToken token = BearerToken.fromConfig(config, "serve.api.token.env", Map.of("CRS_TEST_TOKEN_VAR", TOKEN))
                .orElseThrow();
        assertThat(token.acceptsHeader("Bearer " + TOKEN)).isTrue();
        assertThat(token.acceptsHeader(null)).isFalse();
        assertThat(token.acceptsHeader("Bearer")).isFalse();
        assertThat(token.toString()).doesNotContain(TOKEN).contains("serve.api.token.env");

        assertThatThrownBy(() -> BearerToken.fromConfig(config, "serve.api.token.env", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("serve.api.token.env names the environment variable CRS_TEST_TOKEN_VAR,"
                        + " which is not set or empty");
        String shortToken = "short-secret";
        assertThatThrownBy(() -> BearerToken.fromConfig(config, "serve.api.token.env",
                Map.of("CRS_TEST_TOKEN_VAR", shortToken)))
                .hasMessageContaining("fewer than 16 characters").hasMessageNotContaining(shortToken);
    }

    private static HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
