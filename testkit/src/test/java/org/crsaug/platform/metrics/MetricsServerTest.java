package org.crsaug.platform.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.schema.Evaluation;
import org.junit.jupiter.api.Test;

/** The operations endpoint: Prometheus text, liveness and readiness, and a clear error for a busy port. */
class MetricsServerTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(MetricsServer s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void exposesMetricsAndHealth() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(false);
        PipelineMeters.recordEvaluation(Evaluation.newBuilder().setCheckpointId("cp-1").setMode("two-stage")
                .setBackbone("semantic").setDataset("inspired").setProtocol("strict").setSplit("test").setPairs(10)
                .setMetrics(Map.of("recall@10", 0.25)).setEvaluatedAtMs(0).build());
        try (MetricsServer s = MetricsServer.start("127.0.0.1", 0, () -> true, ready::get)) {
            HttpResponse<String> metrics = get(s, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).containsPattern(
                    "crs_evaluation_metric\\{checkpoint=\"cp-1\",dataset=\"inspired\",metric=\"recall@10\",mode=\"two-stage\",protocol=\"strict\"} 0.25");
            assertThat(get(s, "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(s, "/health/ready").statusCode()).isEqualTo(503);
            ready.set(true);
            assertThat(get(s, "/health/ready").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void isOffUnlessAPortIsConfiguredAndABusyPortNamesTheSetting() {
        assertThat(MetricsServer.startIfConfigured(CrsConfig.defaults(), () -> true, () -> true)).isNull();
        try (MetricsServer first = MetricsServer.start("127.0.0.1", 0, () -> true, () -> true)) {
            CrsConfig taken = CrsConfig.defaults().with("metrics.port", String.valueOf(first.port()))
                    .with("metrics.host", "127.0.0.1");
            assertThatThrownBy(() -> MetricsServer.startIfConfigured(taken, () -> true, () -> true))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("--set metrics.port=");
        }
    }

    @Test
    void beyondLoopbackTheMetricsNeedTheTokenAndTheProbesDoNot() throws Exception {
        CrsConfig exposed = CrsConfig.defaults().with("metrics.port", "0").with("metrics.host", "0.0.0.0");
        // port 0 means "off" to startIfConfigured, so the exposure is checked with a real port
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            exposed = exposed.with("metrics.port", String.valueOf(probe.getLocalPort()));
        }
        CrsConfig open = exposed;
        assertThatThrownBy(() -> MetricsServer.startIfConfigured(open, Map.of(), () -> true, () -> true))
                .isInstanceOf(org.crsaug.platform.config.ConfigException.class)
                .hasMessageContaining("(metrics.host)").hasMessageContaining("set metrics.api.token.env");
        String token = "tok-metrics-test-9b4e1f07c2";
        CrsConfig withToken = exposed.with("metrics.api.token.env", "METRICS_TEST_TOKEN");
        try (MetricsServer s = MetricsServer.startIfConfigured(withToken, Map.of("METRICS_TEST_TOKEN", token),
                () -> true, () -> true)) {
            assertThat(get(s, "/metrics").statusCode()).isEqualTo(401);
            assertThat(get(s, "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(s, "/health/ready").statusCode()).isEqualTo(200);
            HttpResponse<String> scraped = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + s.port() + "/metrics")).header("Authorization", "Bearer " + token)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(scraped.statusCode()).isEqualTo(200);
            assertThat(scraped.body()).doesNotContain(token);
        }
    }

    @Test
    void theDefaultHostIsLoopback() {
        assertThat(CrsConfig.defaults().get(MetricsServer.HOST_KEY)).isEqualTo("127.0.0.1");
    }
}
