package org.crsaug.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.crsaug.platform.deadletter.DeadLetterStore;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Dialogue;
import org.crsaug.testkit.NewDialogues;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/dialogues} on a running recommendation server and a real broker: good bodies are
 * published and answered 202 with their ids; bad ones are answered 400 or 413 with the reason, become
 * dead letters, and publish nothing; the server goes on answering {@code /api/recommend}.
 */
class DialogueIntakeRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 4096;

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();
    @TempDir
    static Path tmp;
    private static Platform platform;
    private static NewDialogues catalogue;
    private static RecommendationEngine engine;
    private static DialogueIntakeRoutes intake;
    private static RecommendationServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void serve() throws Exception {
        platform = kafka.platform(Map.of("serve.port", "0", "serve.max.body.bytes", Integer.toString(MAX_BODY),
                "state.dir", tmp.resolve("state").toString()));
        catalogue = NewDialogues.publishCatalogue(platform, tmp.resolve("data"));
        engine = new RecommendationEngine(platform, ServeSettings.fromConfig(platform.config()));
        engine.start();
        intake = DialogueIntakeRoutes.create(platform);
        server = RecommendationServer.start(engine, intake);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (intake != null) {
            intake.close();
        }
        if (engine != null) {
            engine.stop();
        }
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String error(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("error").asText();
    }

    /** The ids on the dialogues topic once all of {@code expected} are visible. */
    private static List<String> publishedIds(String... expected) throws InterruptedException {
        return NewDialogues.await(platform, Topics.DIALOGUES, "dialogues " + List.of(expected),
                        all -> all.stream().map(Dialogue::getDialogueId).toList().containsAll(List.of(expected)))
                .stream().map(Dialogue::getDialogueId).toList();
    }

    /** The dead letters of one request, found by the request id the 400 names, once {@code count} are visible. */
    private static List<DeadLetter> lettersOf(String errorMessage, int count) throws InterruptedException {
        int at = errorMessage.indexOf("http:POST /api/dialogues#");
        assertThat(at).as("the answer names where its dead letters are: " + errorMessage).isNotNegative();
        String source = errorMessage.substring(at, at + "http:POST /api/dialogues#".length() + 8);
        return NewDialogues.await(platform, Topics.DEAD_LETTERS, count + " dead letters of " + source,
                        all -> all.stream().filter(l -> l.getSourceTopic().equals(source)).count() >= count)
                .stream().filter(l -> l.getSourceTopic().equals(source)).toList();
    }

    @Test
    void goodBodiesAreAcceptedWithTheirIdsAndPublished() throws Exception {
        HttpResponse<String> list = post("api/dialogues", "[" + NewDialogues.simple("h1", catalogue.title(0)) + ", "
                + NewDialogues.simple("h2", catalogue.title(1)) + "]");
        assertThat(list.statusCode()).as(list.body()).isEqualTo(202);
        JsonNode body = JSON.readTree(list.body());
        assertThat(body.path("accepted")).extracting(JsonNode::asText).containsExactly("inspired:h1", "inspired:h2");

        HttpResponse<String> lines = post("api/dialogues?dataset=inspired",
                NewDialogues.inspiredLine("a heist", catalogue.title(2)) + "\n" + NewDialogues.simple("h3",
                        catalogue.title(3)) + "\n");
        assertThat(lines.statusCode()).as(lines.body()).isEqualTo(202);
        String inspiredId = JSON.readTree(lines.body()).path("accepted").get(0).asText();
        assertThat(inspiredId).startsWith("inspired:new:");

        assertThat(publishedIds("inspired:h1", "inspired:h2", "inspired:h3", inspiredId)).isNotEmpty();
    }

    @Test
    void aReusedIdWithOtherContentIsRefusedUnlessReplaceIsAskedForAndAnUnchangedResendIsNotPublishedAgain()
            throws Exception {
        String first = NewDialogues.simple("r1", catalogue.title(0));
        String changed = NewDialogues.simple("r1", catalogue.title(1));
        assertThat(post("api/dialogues", first).statusCode()).isEqualTo(202);

        HttpResponse<String> again = post("api/dialogues", first);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        assertThat(JSON.readTree(again.body()).path("accepted")).as("not sent again").isEmpty();
        assertThat(JSON.readTree(again.body()).path("unchanged")).extracting(JsonNode::asText)
                .containsExactly("inspired:r1");

        HttpResponse<String> refused = post("api/dialogues", changed);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(error(refused)).contains("dialogue inspired:r1: a different dialogue is already published under"
                + " this id", "?replace=true");
        assertThat(lettersOf(error(refused), 1)).singleElement()
                .satisfies(l -> assertThat(l.getError()).contains("already published under this id"));
        assertThat(post("api/dialogues?replace=maybe", changed).statusCode()).isEqualTo(400);

        HttpResponse<String> replaced = post("api/dialogues?replace=true", changed);
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(202);
        assertThat(JSON.readTree(replaced.body()).path("replaced")).extracting(JsonNode::asText)
                .containsExactly("inspired:r1");
        // the first version and its replacement, nothing between them (the resend and the refusal sent nothing)
        List<Dialogue> versions = NewDialogues.await(platform, Topics.DIALOGUES, "the replacement of inspired:r1",
                all -> all.stream().filter(d -> d.getDialogueId().equals("inspired:r1")).count() >= 2).stream()
                .filter(d -> d.getDialogueId().equals("inspired:r1")).toList();
        assertThat(versions).hasSize(2);
        assertThat(versions.get(1).getTurns().get(0).getMentionedItemIds())
                .isNotEqualTo(versions.get(0).getTurns().get(0).getMentionedItemIds());
    }

    @Test
    void everyKindOfBadBodyIsRefusedWithItsReasonAndDeadLettered() throws Exception {
        HttpResponse<String> notJson = post("api/dialogues", "{turns:");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(error(notJson)).contains("body: not JSON");
        assertThat(lettersOf(error(notJson), 1)).singleElement()
                .satisfies(l -> assertThat(l.getError()).contains("not JSON"));

        HttpResponse<String> unknown = post("api/dialogues", NewDialogues.simple("u1", NewDialogues.UNKNOWN_TITLE));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(error(unknown)).contains("1 bad record", "Unknown items", NewDialogues.UNKNOWN_TITLE);
        assertThat(lettersOf(error(unknown), 1)).singleElement()
                .satisfies(l -> assertThat(l.getError()).contains(NewDialogues.UNKNOWN_TITLE));
        assertThat(DeadLetterStore.resubmit(platform, lettersOf(error(unknown), 1)))
                .as("a request body is no topic record: it is counted, not put on a topic")
                .isEqualTo(new DeadLetterStore.Resubmitted(0, 1));

        HttpResponse<String> noTurns = post("api/dialogues", NewDialogues.withoutTurns("t1"));
        assertThat(noTurns.statusCode()).isEqualTo(400);
        assertThat(error(noTurns)).contains("missing field 'turns'");
        assertThat(lettersOf(error(noTurns), 1)).singleElement().satisfies(l -> {
            assertThat(l.getError()).contains("missing field 'turns'");
            assertThat(StandardCharsets.UTF_8.decode(l.getOriginalValue()).toString())
                    .isEqualTo(NewDialogues.withoutTurns("t1"));
        });

        String big = "[" + (NewDialogues.simple("o1", catalogue.title(0)) + ",").repeat(MAX_BODY / 100)
                + NewDialogues.simple("o2", catalogue.title(0)) + "]";
        HttpResponse<String> oversized = post("api/dialogues", big);
        assertThat(oversized.statusCode()).isEqualTo(413);
        assertThat(error(oversized)).contains("larger than " + MAX_BODY + " bytes", "serve.max.body.bytes");
        // its length tells this refusal from the other tests' ones
        String length = "Content-Length " + big.getBytes(StandardCharsets.UTF_8).length + ")";
        NewDialogues.await(platform, Topics.DEAD_LETTERS, "the dead letter of the 413", all -> all.stream()
                .anyMatch(l -> l.getError().contains(length) && l.getError().contains("the body was not read")));

        // Latin-1 bytes: refused like the CLI refuses them, never published with replacement characters
        HttpResponse<String> latin1 = http.send(HttpRequest.newBuilder(URI.create(server.url() + "api/dialogues"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(NewDialogues.simple("caf\u00e9", catalogue.title(0))
                        .getBytes(StandardCharsets.ISO_8859_1))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(latin1.statusCode()).isEqualTo(400);
        assertThat(error(latin1)).contains("body: not valid UTF-8 (line 1, byte ", "0xE9");
        assertThat(lettersOf(error(latin1), 1)).singleElement()
                .satisfies(l -> assertThat(l.getError()).contains("not valid UTF-8"));

        HttpResponse<String> dataset = post("api/dialogues?dataset=movielens", NewDialogues.simple("d1",
                catalogue.title(0)));
        assertThat(dataset.statusCode()).isEqualTo(400);
        assertThat(error(dataset)).contains("Unknown dataset 'movielens'", "redial", "inspired");
    }

    @Test
    void aBodyWithOneBadRecordPublishesNoneOfItsDialogues() throws Exception {
        HttpResponse<String> mixed = post("api/dialogues", NewDialogues.simple("m1", catalogue.title(0)) + "\n"
                + NewDialogues.withoutTurns("m2") + "\n" + NewDialogues.simple("m3", NewDialogues.UNKNOWN_TITLE));
        assertThat(mixed.statusCode()).isEqualTo(400);
        assertThat(error(mixed)).contains("2 bad records, nothing published", "line 2: ", "line 3: ");
        assertThat(lettersOf(error(mixed), 2)).extracting(DeadLetter::getOffset).containsExactlyInAnyOrder(2L, 3L);

        // one producer, one transaction at a time: once this later body is visible, m1 would be too
        HttpResponse<String> after = post("api/dialogues", NewDialogues.simple("m4", catalogue.title(1)));
        assertThat(after.statusCode()).isEqualTo(202);
        assertThat(publishedIds("inspired:m4")).doesNotContain("inspired:m1");
    }

    @Test
    void theServerKeepsAnsweringRecommendationRequests() throws Exception {
        post("api/dialogues", "{turns:");
        post("api/dialogues", "x".repeat(MAX_BODY + 1));
        // no checkpoint is trained here: the endpoint still parses against the catalogue and says what is missing
        HttpResponse<String> unknown = post("api/recommend", "{\"turns\": [{\"role\": \"SEEKER\", \"text\": \"hi\","
                + " \"items\": [\"" + NewDialogues.UNKNOWN_TITLE + "\"]}]}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(error(unknown)).contains(NewDialogues.UNKNOWN_TITLE);
        HttpResponse<String> noModel = post("api/recommend", "{\"turns\": [{\"role\": \"SEEKER\", \"text\": \"a "
                + "ghost story\"}]}");
        assertThat(noModel.statusCode()).as(noModel.body()).isEqualTo(503);
        assertThat(get("health/live").statusCode()).isEqualTo(200);
        // readiness tells the truth: no checkpoint, so not ready, and the status says why
        assertThat(engine.isReady()).as("the engine itself has caught up").isTrue();
        assertThat(get("health/ready").statusCode()).isEqualTo(503);
        JsonNode status = JSON.readTree(get("api/status").body());
        assertThat(status.path("ready").asBoolean()).isFalse();
        assertThat(status.path("notReadyBecause").asText()).contains("No inspired checkpoint", "crs run");
    }
}
