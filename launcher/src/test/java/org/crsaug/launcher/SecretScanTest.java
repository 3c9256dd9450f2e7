package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.kafka.PlatformAddress;
import org.crsaug.platform.topic.Topics;
import org.crsaug.retriever.RetrieverService;
import org.crsaug.scorer.ScorerService;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.ChildJvm;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.FakeChatServer;
import org.crsaug.testkit.NewDialogues;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code crs up} in a JVM of its own, judging with an LLM whose API key and serving behind a bearer
 * token, both distinctive: after the dataset is judged, a dialogue posted and every HTTP answer read, neither
 * secret is in its terminal output, its log file, any byte of any topic (internal ones included), any file of
 * the state directory (broker logs, stream state, artifacts, reports, the address file), the metrics text, the
 * dashboard and status answers, or {@code crs status}'s output.
 */
class SecretScanTest {

    private static final String KEY = "sk-secret-scan-3f9c27d1e8b4";
    private static final String TOKEN = "tok-secret-scan-b71e04c9a25d";
    private static final Duration START = Duration.ofMinutes(4);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void neitherTheApiKeyNorTheTokenIsWrittenAnywhere(@TempDir Path tmp) throws Exception {
        Path data = DataSlices.inspiredSlice(tmp.resolve("data"), Map.of("train", 6, "valid", 2, "test", 2));
        Path state = tmp.resolve("state");
        Map<String, String> seen = new LinkedHashMap<>();
        try (FakeChatServer llm = new FakeChatServer()) {
            Map<String, String> settings = new LinkedHashMap<>(UpFixture.settings(data, state, Map.of(
                    "scorer.judge", "llm", "scorer.llm.base.url", llm.baseUrl(),
                    "scorer.llm.api.key.env", "SCAN_LLM_KEY", "serve.api.token.env", "SCAN_HTTP_TOKEN",
                    "trainer.round.min.new.labels", "0")));
            // the ports and state directory are crs up's flags (its defaults are fixed ports)
            settings.keySet().removeAll(List.of("state.dir", "embedded.kafka.port", "embedded.registry.port",
                    "serve.port"));
            List<String> args = new ArrayList<>(List.of("up", "--dataset", "inspired", "--state-dir",
                    state.toString(), "--port", "0", "--kafka-port", "0", "--registry-port", "0"));
            args.addAll(ChildJvm.setArgs(settings));
            ChildJvm up = ChildJvm.start(Crs.class.getName(), args,
                    Map.of("SCAN_LLM_KEY", KEY, "SCAN_HTTP_TOKEN", TOKEN), "secret-scan-up.log");
            try {
                up.awaitOutput("crs up: ready in", START);
                String base = PlatformAddress.read(state).orElseThrow().http().get("recommendations");
                try (Platform guest = Platform.start(CrsConfig.defaults().with("state.dir", state.toString()))) {
                    Await.until("the dataset judged", START, () -> {
                        up.checkAlive();
                        return UpFixture.caughtUp(guest, Topics.DIALOGUES, RetrieverService.APPLICATION_ID)
                                && UpFixture.caughtUp(guest, Topics.CANDIDATES, ScorerService.APPLICATION_ID);
                    });
                    assertThat(llm.lastAuthorization()).as("the key reached the LLM").isEqualTo("Bearer " + KEY);
                    NewDialogues catalogue = NewDialogues.ofPublishedCatalogue(guest, "inspired");
                    HttpResponse<String> posted = send(base + "api/dialogues", NewDialogues.recommending("scan:1",
                            "Something like this please", catalogue.title(0)), TOKEN);
                    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
                    assertThat(send(base + "api/status", null, null).statusCode()).isEqualTo(401);
                    for (String path : List.of("metrics", "api/status", "api/dashboard", "api/checkpoints")) {
                        HttpResponse<String> r = send(base + path, null, TOKEN);
                        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
                        seen.put("GET /" + path, r.body());
                    }
                    UpFixture.Cli status = UpFixture.cli("status", "--state-dir", state.toString());
                    assertThat(status.rc()).as(status.err()).isZero();
                    seen.put("crs status", status.out() + status.err());
                    try (Admin admin = Admin.create(guest.adminProps())) {
                        Set<String> topics = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions()
                                .listInternal(true)).names().get();
                        assertThat(topics).contains(guest.config().topic(Topics.JUDGEMENTS));
                        for (String topic : topics) {
                            seen.put("topic " + topic, new String(TestKafka.rawBytes(guest, topic),
                                    StandardCharsets.ISO_8859_1));
                        }
                    }
                }
            } finally {
                up.close();
            }
            seen.put("crs up's terminal", up.output());
        }
        Map<String, byte[]> files = filesUnder(state);
        assertThat(files.keySet()).as("crs up's log file").anyMatch(f -> f.endsWith("crs.log"));
        files.forEach((f, bytes) -> seen.put(f, new String(bytes, StandardCharsets.ISO_8859_1)));
        System.out.printf("scanned %d sources (%d files, %d topics), %d bytes%n", seen.size(), files.size(),
                seen.keySet().stream().filter(k -> k.startsWith("topic ")).count(),
                seen.values().stream().mapToLong(String::length).sum());
        seen.forEach((where, text) -> {
            assertThat(text).as("the API key in " + where).doesNotContain(KEY);
            assertThat(text).as("the HTTP token in " + where).doesNotContain(TOKEN);
        });
    }

    private static HttpResponse<String> send(String url, String jsonBody, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url));
        if (jsonBody != null) {
            r.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every regular file under {@code dir}, by path. */
    private static Map<String, byte[]> filesUnder(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }
}
