package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.retriever.RetrieverService;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Evaluation;
import org.crsaug.schema.ScoredPair;
import org.crsaug.scorer.ScorerService;
import org.crsaug.serve.RecommendationEngine;
import org.crsaug.serve.RecommendationServer;
import org.crsaug.serve.ServeSettings;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.Browser;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * The read side of continuous mode on a real broker with the real services: the serve HTTP server is
 * started before anything is published, so its views follow the candidates, scores, labels, checkpoints
 * and evaluations while a whole pipeline run writes them; then {@code GET /api/dialogues/<id>},
 * {@code GET /api/checkpoints} and the dashboard must agree with what is on the topics, a dialogue
 * published afterwards must show up, and {@code crs status --watch} must draw frames of it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DialogueApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();
    @RegisterExtension
    final Browser browser = new Browser();
    private static Platform platform;
    private static RecommendationEngine engine;
    private static RecommendationServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void serveThenRunThePipeline() throws Exception {
        Path data = DataSlices.inspiredSlice(tmp.resolve("data"), Map.of("train", 24, "valid", 6, "test", 6));
        platform = kafka.platform(SmallRun.settings(data, tmp.resolve("state"), Map.of("serve.port", "0")));
        engine = new RecommendationEngine(platform, ServeSettings.fromConfig(platform.config()));
        engine.start();
        server = RecommendationServer.start(engine);
        // two rounds, so the checkpoints have a history (and round 2 a parent) to show; round 2 gets two more
        // training dialogues, since crs run on unchanged data shows the round it already trained
        Path more = DataSlices.inspiredSlice(tmp.resolve("data-round-2"), Map.of("train", 26, "valid", 6, "test", 6));
        Platform secondRun = kafka.platform(SmallRun.settings(more, tmp.resolve("state"), Map.of("serve.port", "0")));
        for (Platform run : List.of(platform, secondRun)) {
            new PipelineRun(run, new PrintStream(new ByteArrayOutputStream()))
                    .run("inspired", List.of(TrainingMode.BASELINE, TrainingMode.TWO_STAGE), Duration.ofMinutes(8));
        }
    }

    @AfterAll
    static void stop() {
        SmallRun.stop(server, engine);
    }

    @Test
    @Order(1)
    void everyContextOfADialogueShowsItsCandidatesScoresAndLabels() throws Exception {
        List<Dialogue> dialogues = TestKafka.readAll(platform, Topics.DIALOGUES, 36, PATIENCE).stream()
                .map(ConsumerRecord::value).toList();
        Map<String, Candidates> candidates = latest(TestKafka.readAll(platform, Topics.CANDIDATES, 1, PATIENCE));
        Map<String, ScoredPair> scores = latest(TestKafka.readAll(platform, Topics.SCORED_PAIRS, 1, PATIENCE));
        Map<String, AugmentedLabels> labels = latest(TestKafka.readAll(platform, Topics.AUGMENTED_LABELS, 1, PATIENCE));
        Map<String, String> titles = TestKafka.readAll(platform, Topics.ITEMS, 1, PATIENCE).stream()
                .collect(Collectors.toMap(ConsumerRecord::key, r -> r.value().getTitle(), (a, b) -> b));
        Map<String, Long> dialogueTime = new HashMap<>();
        TestKafka.readAll(platform, Topics.DIALOGUES, 36, PATIENCE)
                .forEach(r -> dialogueTime.put(r.key(), r.timestamp()));

        int checked = 0;
        for (Dialogue d : dialogues.stream().filter(d -> d.getSplit().equals("train")).limit(3).toList()) {
            List<DialogueContext> contexts = DialogueContexts.derive(d);
            assertThat(contexts).as("synthetic train dialogues have contexts").isNotEmpty();
            JsonNode body = awaitDialogue(d.getDialogueId(), contexts.size());
            assertThat(body.path("dialogueId").asText()).isEqualTo(d.getDialogueId());
            for (int i = 0; i < contexts.size(); i++) {
                DialogueContext expected = contexts.get(i);
                JsonNode c = body.path("contexts").get(i);
                assertThat(c.path("contextId").asText()).isEqualTo(expected.contextId());
                assertThat(c.path("turnIndex").asInt()).isEqualTo(expected.turnIndex());
                Candidates cand = candidates.get(expected.contextId());
                assertThat(c.path("candidateCount").asInt()).isEqualTo(cand.getItems().size()).isEqualTo(20);
                JsonNode pairs = c.path("scoredPairs");
                assertThat(pairs).hasSize(cand.getItems().size());
                double previous = Double.MAX_VALUE;
                for (JsonNode p : pairs) {
                    ScoredPair onTopic = scores.get(expected.contextId() + "|" + p.path("itemId").asText());
                    assertThat(onTopic).as("a scored pair of the topic for %s", p).isNotNull();
                    assertThat((float) p.path("score").asDouble()).isEqualTo(onTopic.getScore());
                    assertThat(p.path("judge").asText()).isEqualTo(onTopic.getJudgeId()).isEqualTo("retrieval-only");
                    assertThat(p.path("title").asText()).isEqualTo(titles.get(p.path("itemId").asText()));
                    assertThat(p.path("score").asDouble()).isLessThanOrEqualTo(previous);
                    previous = p.path("score").asDouble();
                }
                AugmentedLabels onTopic = labels.get(expected.contextId());
                assertThat(c.path("labels").isArray()).isTrue();
                assertThat(c.path("labels").findValuesAsText("itemId"))
                        .containsExactlyElementsOf(onTopic.getLabels().stream().map(l -> l.getItemId()).toList());
                assertThat(c.path("labelJudge").asText()).isEqualTo("retrieval-only");
                // each stage stamps its records when it made them: retrieval after ingestion, judging after that
                Instant retrieved = Instant.parse(c.path("finished").path("retrieval").asText());
                Instant scored = Instant.parse(c.path("finished").path("scoring").asText());
                Instant labelled = Instant.parse(c.path("finished").path("labelling").asText());
                assertThat(retrieved.toEpochMilli()).isGreaterThanOrEqualTo(dialogueTime.get(d.getDialogueId()));
                assertThat(scored).isAfterOrEqualTo(retrieved);
                assertThat(labelled).isAfterOrEqualTo(retrieved);
                checked++;
            }
        }
        assertThat(checked).isPositive();
    }

    @Test
    @Order(2)
    void anUnknownDialogueIsA404WithAReason() throws Exception {
        HttpResponse<String> missing = get("api/dialogues/" + URLEncoder.encode("inspired:no/such dialogue",
                StandardCharsets.UTF_8).replace("+", "%20"));
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).path("error").asText())
                .contains("Unknown dialogue 'inspired:no/such dialogue'", "most recently processed");
    }

    @Test
    @Order(3)
    void aDialoguePublishedLaterShowsUpAndLaterScoresReplaceEarlierOnes() throws Exception {
        Dialogue template = TestKafka.readAll(platform, Topics.DIALOGUES, 36, PATIENCE).stream()
                .map(ConsumerRecord::value).filter(d -> d.getSplit().equals("train")).findFirst().orElseThrow();
        Dialogue fresh = Dialogue.newBuilder(template).setDialogueId("inspired:live:1").build();
        List<DialogueContext> contexts = DialogueContexts.derive(fresh);
        RetrieverService retriever = new RetrieverService(platform);
        ScorerService scorer = ScorerService.create(platform);
        retriever.start();
        scorer.start();
        try {
            TestKafka.send(platform, Topics.DIALOGUES, fresh.getDialogueId(), fresh);
            // asked without the dataset prefix, as a person who sent {"dialogueId": "live:1"} would
            JsonNode body = awaitDialogue("live:1", contexts.size());
            assertThat(body.path("dialogueId").asText()).isEqualTo("inspired:live:1");
            assertThat(body.path("contexts").get(0).path("scoredPairs")).hasSize(20);
        } finally {
            scorer.stop();
            retriever.stop();
        }
        // a context judged again (by another judge, say) shows the newer score
        String contextId = contexts.get(0).contextId();
        JsonNode first = getJson("api/dialogues/inspired:live:1").path("contexts").get(0).path("scoredPairs").get(0);
        String item = first.path("itemId").asText();
        TestKafka.send(platform, Topics.SCORED_PAIRS, contextId + "|" + item, ScoredPair.newBuilder()
                .setContextId(contextId).setItemId(item).setScore(4f).setJudgeId("llm").setJudgeVersion("test")
                .build());
        Await.until("the newer score of " + contextId + "|" + item, PATIENCE, () -> {
            JsonNode pairs = getJson("api/dialogues/inspired:live:1").path("contexts").get(0).path("scoredPairs");
            return pairs.get(0).path("itemId").asText().equals(item) && pairs.get(0).path("judge").asText()
                    .equals("llm") && pairs.get(0).path("score").asDouble() == 4.0 && pairs.size() == 20;
        });
    }

    @Test
    @Order(4)
    void checkpointsShowRoundModeLineageAndValidationAndTestMetrics() throws Exception {
        List<Checkpoint> published = TestKafka.readAll(platform, Topics.CHECKPOINTS, 4, PATIENCE).stream()
                .map(ConsumerRecord::value).toList();
        Map<String, Evaluation> strict = TestKafka.readAll(platform, Topics.EVALUATIONS, 8, PATIENCE).stream()
                .map(ConsumerRecord::value).filter(e -> e.getProtocol().equals("strict"))
                .collect(Collectors.toMap(Evaluation::getCheckpointId, e -> e));
        JsonNode list = Await.value("four checkpoints with their strict and lenient evaluations", PATIENCE, () -> {
            JsonNode cps = getJson("api/checkpoints").path("checkpoints");
            boolean complete = cps.size() == 4;
            for (JsonNode cp : cps) {
                complete &= cp.path("test").has("strict") && cp.path("test").has("lenient");
            }
            return complete ? cps : null;
        });
        assertThat(list.findValuesAsText("mode")).containsExactlyInAnyOrder("baseline", "two-stage", "baseline",
                "two-stage");
        // oldest first
        assertThat(list.findValuesAsText("round")).containsExactly("1", "1", "2", "2");
        for (JsonNode cp : list) {
            Checkpoint onTopic = published.stream()
                    .filter(c -> c.getCheckpointId().equals(cp.path("checkpointId").asText())).findFirst().orElseThrow();
            assertThat(cp.path("round").asInt()).isEqualTo(onTopic.getRound());
            assertThat(cp.path("mode").asText()).isEqualTo(onTopic.getMode());
            assertThat(cp.path("dataset").asText()).isEqualTo("inspired");
            assertThat(cp.has("parentCheckpointId")).isTrue();
            assertThat(cp.path("parentCheckpointId").isNull() ? null : cp.path("parentCheckpointId").asText())
                    .isEqualTo(onTopic.getParentCheckpointId());
            assertThat(cp.path("validation").path("validation_recall@50").asDouble())
                    .isEqualTo(onTopic.getMetrics().get("validation_recall@50"));
            assertThat(cp.path("validation").fieldNames()).toIterable().allMatch(k -> k.startsWith("validation_"));
            assertThat(cp.path("test").path("strict").path("metrics").path("recall@50").asDouble())
                    .isEqualTo(strict.get(onTopic.getCheckpointId()).getMetrics().get("recall@50"));
            assertThat(cp.path("test").path("strict").path("pairs").asInt())
                    .isEqualTo(strict.get(onTopic.getCheckpointId()).getPairs());
            // the lineage: the offset ranges the training set was read from, summarised per topic
            assertThat(cp.path("lineage").findValuesAsText("topic")).contains("dialogues", "augmented-labels");
            long ranged = onTopic.getInputRanges().stream().mapToLong(r -> r.getUntilOffset() - r.getFromOffset()).sum();
            long summarised = 0;
            for (JsonNode l : cp.path("lineage")) {
                summarised += l.path("records").asLong();
            }
            assertThat(summarised).isEqualTo(ranged).isPositive();
            // ... and what each test evaluation read, the test dialogues among it
            JsonNode read = cp.path("test").path("strict").path("read");
            assertThat(read.findValuesAsText("topic")).contains("dialogues", "embeddings");
            long readRecords = strict.get(onTopic.getCheckpointId()).getInputRanges().stream()
                    .mapToLong(r -> r.getUntilOffset() - r.getFromOffset()).sum();
            long readSummarised = 0;
            for (JsonNode l : read) {
                readSummarised += l.path("records").asLong();
            }
            assertThat(readSummarised).isEqualTo(readRecords).isPositive();
        }
    }

    @Test
    @Order(5)
    void theDashboardDrawsTopicsMetricsAndRecallAndRefreshesItself() throws Exception {
        JsonNode dash = getJson("api/dashboard");
        assertThat(dash.path("topics").findValuesAsText("topic")).contains("dialogues", "candidates", "checkpoints");
        assertThat(dash.path("judges").findValuesAsText("judge")).contains("retrieval-only");
        assertThat(dash.path("judges").get(0).path("contexts").asLong()).isPositive();
        // every label was published minutes ago at most, so the half-hour history holds them all
        long labelsOnTopic = TestKafka.readAll(platform, Topics.AUGMENTED_LABELS, 1, PATIENCE).stream()
                .mapToLong(r -> r.value().getLabels().size()).sum();
        long labelsCharted = 0;
        for (JsonNode m : dash.path("labels").path("perMinute")) {
            labelsCharted += m.path("labels").asLong();
        }
        assertThat(labelsCharted).isEqualTo(labelsOnTopic).isPositive();

        WebDriver page = browser.open(server.url() + "dashboard");
        // two completed polls: the page refreshes itself
        browser.until(d -> Integer.parseInt(d.findElement(By.tagName("body")).getAttribute("data-refreshes")) >= 2);
        assertThat(page.findElements(By.cssSelector("#topics tbody tr"))).hasSize(dash.path("topics").size());
        // one validation and one test point per checkpoint, one line per mode and kind
        assertThat(page.findElements(By.cssSelector("#recall-chart circle.point"))).hasSize(8);
        assertThat(page.findElements(By.cssSelector("#recall-chart path.series"))).hasSize(4);
        assertThat(page.findElements(By.cssSelector("#checkpoints tbody tr"))).hasSize(4);
        assertThat(page.findElement(By.id("judge-latency")).getText()).endsWith(" ms");
        assertThat(page.findElement(By.id("labels-per-minute")).getText()).matches("\\d+");
        assertThat(page.findElement(By.id("error")).getText()).isEmpty();
        Path shot = browser.screenshot("dashboard");
        assertThat(Files.size(shot)).isPositive();
    }

    @Test
    @Order(6)
    void statusWatchDrawsFramesUntilItsFrameCount() {
        String[] connect = {"--bootstrap-servers", platform.bootstrapServers(), "--schema-registry-url",
                platform.registryUrl(), "--state-dir", tmp.resolve("state").toString()};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int watched;
        int refused;
        try {
            watched = Crs.execute(SmallRun.concat(new String[] {"status", "--watch", "--interval", "1", "--frames", "2"},
                    connect));
            refused = Crs.execute(SmallRun.concat(new String[] {"status", "--watch", "--interval", "0"}, connect));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String screen = out.toString(StandardCharsets.UTF_8);
        assertThat(watched).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(screen.split(java.util.regex.Pattern.quote(StatusCommand.CLEAR), -1)).hasSize(3);
        for (String frame : screen.split(java.util.regex.Pattern.quote(StatusCommand.CLEAR))) {
            if (!frame.isEmpty()) {
                assertThat(frame).contains("crs status at", "dialogues", "last of 4 checkpoints", "validation_recall@50");
            }
        }
        assertThat(refused).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--interval must be at least 1 second");
    }

    private JsonNode awaitDialogue(String id, int contexts) throws InterruptedException {
        return Await.value("dialogue " + id + " with labels for all " + contexts + " contexts", PATIENCE, () -> {
            HttpResponse<String> r = get("api/dialogues/" + id);
            if (r.statusCode() != 200) {
                return null;
            }
            JsonNode body = read(r.body());
            JsonNode cs = body.path("contexts");
            if (cs.size() != contexts) {
                return null;
            }
            for (JsonNode c : cs) {
                if (!c.path("labels").isArray() || c.path("candidateCount").isNull()
                        || c.path("scoredPairs").size() != c.path("candidateCount").asInt()) {
                    return null;
                }
            }
            return body;
        });
    }

    private static <V> Map<String, V> latest(List<ConsumerRecord<String, V>> records) {
        Map<String, V> out = new HashMap<>();
        records.forEach(r -> out.put(r.key(), r.value()));
        return out;
    }

    private JsonNode getJson(String path) {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return read(r.body());
    }

    private HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException("GET " + path + " failed", e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException("Not JSON: " + body, e);
        }
    }
}
