package org.crsaug.data.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Turn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad records must cost only themselves: the rest of the file still arrives. */
class MalformedLinesReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.crsaug.data.dataset.MirrorData#redialDirs")
    void redialReportsBadLinesAndKeepsTheGoodOnes(Path mirror) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("redial"));
        List<String> catalogue = Files.readAllLines(mirror.resolve("movies_with_mentions.csv"));
        List<String> csv = new ArrayList<>(catalogue);
        csv.add("999001,\"Unterminated (2001),1");
        String firstId = CsvLine.split(catalogue.get(1)).get(0);
        csv.add(firstId + ",Headhunter again (2009),1");
        Files.write(dir.resolve("movies_with_mentions.csv"), csv);

        List<String> real = firstLines(mirror.resolve("train_data_partial.jsonl"), 4);
        ObjectNode noMessages = (ObjectNode) JSON.readTree(real.get(2));
        noMessages.remove("messages");
        ObjectNode unknownMention = (ObjectNode) JSON.readTree(real.get(3));
        ((ObjectNode) unknownMention.get("messages").get(0)).put("text", "have you seen @999999999 or @" + firstId + "?");
        ((ObjectNode) unknownMention.get("movieMentions")).put(firstId, "The Triplets of Belleville  (2003)");
        ObjectNode badAnswer = (ObjectNode) JSON.readTree(real.get(0));
        String asked = badAnswer.get("initiatorQuestions").fieldNames().next();
        ((ObjectNode) badAnswer.get("initiatorQuestions").get(asked)).put("seen", 5);
        badAnswer.put("conversationId", "bad-answer");
        String broken = real.get(1).substring(0, real.get(1).length() / 2);
        List<String> train = List.of(
                real.get(0),                            // 1 good
                broken,                                 // 2 invalid JSON
                real.get(1),                            // 3 good
                JSON.writeValueAsString(noMessages),    // 4 no messages
                "",                                     // 5 blank, not a record
                JSON.writeValueAsString(unknownMention),// 6 good, one @id nobody knows
                JSON.writeValueAsString(badAnswer));    // 7 questionnaire value out of range
        Files.write(dir.resolve("train_data_partial.jsonl"), train);
        Files.write(dir.resolve("test_data.jsonl"), firstLines(mirror.resolve("test_data.jsonl"), 2));
        // no merged-turns file and no id2info.json: both are optional

        RedialReader reader = new RedialReader(dir);
        CollectingSink sink = new CollectingSink();
        reader.read(sink);

        assertThat(sink.items).hasSize(catalogue.size() - 1);
        assertThat(sink.items).noneMatch(i -> i.getHasMetadata());
        String trainFile = dir.resolve("train_data_partial.jsonl").toString();
        String csvFile = dir.resolve("movies_with_mentions.csv").toString();
        assertThat(sink.failures).extracting(ParseFailure::file, ParseFailure::lineNumber).containsExactly(
                tuple(csvFile, (long) catalogue.size() + 1),
                tuple(csvFile, (long) catalogue.size() + 2),
                tuple(trainFile, 2L),
                tuple(trainFile, 4L),
                tuple(trainFile, 7L));
        List<ParseFailure> f = sink.failures;
        assertThat(f.get(0).reason()).contains("unterminated quoted field");
        assertThat(f.get(1).reason()).isEqualTo("duplicate movieId " + firstId + " (first on line 2)");
        assertThat(f.get(2).reason()).startsWith("invalid JSON");
        assertThat(f.get(2).rawLine()).isEqualTo(broken);
        assertThat(f.get(3).reason()).isEqualTo("missing field 'messages'");
        assertThat(f.get(3).rawLine()).isEqualTo(train.get(3));
        assertThat(f.get(4).reason()).isEqualTo("field 'initiatorQuestions." + asked + ".seen' must be 0, 1 or 2, got 5");

        assertThat(sink.dialogues).extracting(Dialogue::getSource).containsExactly(
                "redial/train_data_partial.jsonl:1", "redial/train_data_partial.jsonl:3",
                "redial/train_data_partial.jsonl:6", "redial/test_data.jsonl:1", "redial/test_data.jsonl:2");
        Turn first = sink.dialogues.get(2).getTurns().get(0);
        assertThat(first.getText()).startsWith("have you seen @999999999 or The Triplets of Belleville (2003)?");
        assertThat(first.getMentionedItemIds()).containsExactly("redial:" + firstId);
        assertThat(reader.unresolvedMentions()).isEqualTo(1);
    }

    @Test
    void inspiredReportsBadLinesAndEntries() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("inspired"));
        Files.writeString(dir.resolve("id2info.json"), String.join("\n",
                "{",
                "  \"0\": {\"name\": \"Antlers (2020)\", \"plot\": \"A teacher.\", \"genre\": [\"horror\"],",
                "         \"director\": [\"Scott Cooper\"], \"star\": [\"Keri Russell\"]},",
                "  \"5\": {\"plot\": \"no name\"},",
                "  \"7\": {\"name\": \"Bloodshot  (2020)\", \"genre\": \"action\"}",
                "}"));
        Files.writeString(dir.resolve("entity2id.json"),
                "{\"Antlers (2020)\": 0, \"Keri Russell\": 1, \"Bloodshot (2020)\": 7, \"Someone\": 3}");
        String good = turns(turn("SEEKER", "I like horror", "antlers  (2020)"),
                turn("RECOMMENDER", "Try Bloodshot or Obscure", "Bloodshot (2020)", "Obscure Film (1999)", ""));
        String noMovie = "[{\"text\": \"hi\", \"role\": \"SEEKER\"}]";
        String badRole = turns(turn("CRITIC", "hmm"));
        Files.writeString(dir.resolve("train.jsonl"), String.join("\n",
                good, "[{\"text\": \"hi\", \"role\": ", noMovie, "{\"turns\": []}", badRole, "[]", good) + "\n");
        Files.writeString(dir.resolve("test.jsonl"), good + "\n");
        // valid.jsonl missing: skipped with a warning

        InspiredReader reader = new InspiredReader(dir);
        CollectingSink sink = new CollectingSink();
        reader.read(sink);

        assertThat(sink.itemAfterDialogue).isFalse();
        assertThat(sink.items).extracting(i -> i.getItemId() + "=" + i.getTitle()).containsExactly(
                "inspired:0=Antlers (2020)", "inspired:7=Bloodshot (2020)",
                "inspired:t:obscure film (1999)=Obscure Film (1999)");
        assertThat(sink.itemsById().get("inspired:7").getGenres()).containsExactly("action");
        String train = dir.resolve("train.jsonl").toString();
        assertThat(sink.failures).extracting(ParseFailure::lineNumber, ParseFailure::reason).containsExactly(
                tuple(4L, "missing field '5.name'"),
                tuple(2L, sink.failures.get(1).reason()),
                tuple(3L, "missing field '[0].movie'"),
                tuple(4L, "expected a list of turns, got an object"),
                tuple(5L, "field '[0].role' must be SEEKER or RECOMMENDER, got 'CRITIC'"),
                tuple(6L, "dialogue has no turns"));
        assertThat(sink.failures.get(0).file()).isEqualTo(dir.resolve("id2info.json").toString());
        assertThat(sink.failures.get(0).rawLine()).isEqualTo("{\"5\":{\"plot\":\"no name\"}}");
        assertThat(sink.failures.get(1).reason()).startsWith("invalid JSON");
        assertThat(sink.failures.subList(1, 6)).allSatisfy(f -> assertThat(f.file()).isEqualTo(train));
        assertThat(sink.dialogues).extracting(Dialogue::getDialogueId)
                .containsExactly("inspired:train:1", "inspired:train:7", "inspired:test:1");
        Dialogue d = sink.dialogues.get(0);
        assertThat(d.getTurns().get(0).getMentionedItemIds()).containsExactly("inspired:0");
        assertThat(d.getTurns().get(1).getMentionedItemIds())
                .containsExactly("inspired:7", "inspired:t:obscure film (1999)");
        assertThat(reader.blankTitles()).isEqualTo(3);
    }

    @Test
    void aDatasetLineThatIsNotUtf8IsAFailureNeverADialogueWithReplacementCharacters() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("inspired"));
        Files.writeString(dir.resolve("id2info.json"), "{\"0\": {\"name\": \"Antlers (2020)\", \"genre\": [\"horror\"]}}");
        Files.writeString(dir.resolve("entity2id.json"), "{\"Antlers (2020)\": 0}");
        String line = turns(turn("SEEKER", "I like horror", "Antlers (2020)"));
        byte[] good = (line + "\n").getBytes(StandardCharsets.UTF_8);
        // the same line with a Latin-1 'é' (one byte 0xE9) in its text, and Windows line ends around it
        byte[] latin1 = (line.replace("I like", "I like caf?") + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        latin1[line.indexOf("I like") + "I like caf".length()] = (byte) 0xE9;
        java.io.ByteArrayOutputStream train = new java.io.ByteArrayOutputStream();
        train.write(good);
        train.write(latin1);
        train.write(good);
        Files.write(dir.resolve("train.jsonl"), train.toByteArray());

        CollectingSink sink = new CollectingSink();
        new InspiredReader(dir).read(sink);

        assertThat(sink.failures).singleElement().satisfies(f -> {
            assertThat(f.lineNumber()).isEqualTo(2L);
            assertThat(f.reason()).startsWith("not valid UTF-8").contains("0xE9", "save the file as UTF-8");
        });
        assertThat(sink.dialogues).extracting(Dialogue::getDialogueId)
                .containsExactly("inspired:train:1", "inspired:train:3");
        assertThat(sink.dialogues).allSatisfy(d -> assertThat(d.toString()).doesNotContain("\uFFFD"));
    }

    @Test
    void redialPrefersTheCompleteTrainFileAndSurvivesBadMetadata() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("redial-full"));
        Files.writeString(dir.resolve("movies_with_mentions.csv"),
                "movieId,movieName,nbMentions\n1,\"Up, Up and Away (2000)\",3\n2,Two (2001),1\n");
        Files.writeString(dir.resolve("id2info.json"),
                "{\"1\": {\"name\": \"Up, Up and Away (2000)\", \"plot\": \"Flying.\"},\n \"2\": {\"genre\": 5}}");
        String official = "{\"conversationId\": \"10\", \"initiatorWorkerId\": 1, \"respondentWorkerId\": 2, "
                + "\"movieMentions\": {}, \"messages\": [{\"senderWorkerId\": 2, \"text\": \"@1 and @2\"}]}";
        Files.writeString(dir.resolve("train_data.jsonl"), official + "\n");
        Files.writeString(dir.resolve("train_data_partial.jsonl"), official.replace("\"10\"", "\"11\"") + "\n");

        CollectingSink sink = new CollectingSink();
        new RedialReader(dir).read(sink);

        assertThat(sink.failures).singleElement().satisfies(f -> {
            assertThat(f.file()).endsWith("id2info.json");
            assertThat(f.lineNumber()).isEqualTo(2);
            assertThat(f.reason()).isEqualTo("field '2.genre' must be a list, got a number");
        });
        assertThat(sink.items).extracting(i -> i.getTitle() + "/" + i.getHasMetadata())
                .containsExactly("Up, Up and Away (2000)/true", "Two (2001)/false");
        assertThat(sink.dialogues).singleElement().satisfies(d -> {
            assertThat(d.getDialogueId()).isEqualTo("redial:10");
            assertThat(d.getTurns()).singleElement().satisfies(t -> {
                assertThat(t.getRole()).isEqualTo(org.crsaug.schema.Role.RECOMMENDER);
                assertThat(t.getText()).isEqualTo("Up, Up and Away (2000) and Two (2001)");
                assertThat(t.getMentionedItemIds()).containsExactly("redial:1", "redial:2");
            });
        });
    }

    @Test
    void missingDirectoryOrCatalogueIsAnError() throws IOException {
        Path absent = tmp.resolve("nowhere");
        assertThatThrownBy(() -> new RedialReader(absent).read(new CollectingSink()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("data.dir");
        assertThatThrownBy(() -> new InspiredReader(absent).read(new CollectingSink()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("data.dir");
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Files.writeString(empty.resolve("test_data.jsonl"), "{}\n");
        assertThatThrownBy(() -> new RedialReader(empty).read(new CollectingSink()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("movies_with_mentions.csv")
                .hasMessageContaining("https://redialdata.github.io/website/");
        assertThatThrownBy(() -> new InspiredReader(empty).read(new CollectingSink()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("id2info.json")
                .hasMessageContaining("https://github.com/sweetpeach/Inspired");
    }

    private static List<String> firstLines(Path file, int n) throws IOException {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.limit(n).toList();
        }
    }

    private static String turns(String... turns) {
        return "[" + String.join(", ", turns) + "]";
    }

    private static String turn(String role, String text, String... titles) throws IOException {
        ObjectNode t = JSON.createObjectNode().put("text", text).put("role", role);
        t.putArray("movie").addAll(Stream.of(titles).map(JSON.getNodeFactory()::textNode).toList());
        t.putArray("entity_name");
        return JSON.writeValueAsString(t);
    }
}
