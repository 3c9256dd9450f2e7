package org.crsaug.data.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.schema.ItemFeedback;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DialogueJsonTest {

    private static final TitleIndex INSPIRED = TitleIndex.of(List.of(
            item("inspired:84", "Knives Out (2019)"),
            item("inspired:219", "Joker (2019)"),
            item("inspired:1", "The Mummy (1999)"),
            item("inspired:2", "The Mummy (2017)"),
            item("inspired:3", "Okja"),
            item("inspired:t:what's up, doc? (1972)", "What's Up, Doc? (1972)")));

    private static final TitleIndex REDIAL = TitleIndex.of(List.of(
            item("redial:84779", "The Triplets of Belleville (2003)"),
            item("redial:191602", "Waking Life (2001)"),
            item("redial:100493", "Why Him? (2016)")));

    @TempDir
    Path tmp;

    @Test
    void simpleFormatResolvesTitlesAndIds() {
        Dialogue d = DialogueJson.parse("""
                {"dialogueId": "web-17", "dataset": "inspired", "split": "test", "turns": [
                  {"role": "seeker", "text": "Something like Joker?", "items": ["joker"]},
                  {"role": "RECOMMENDER", "text": "Knives Out!", "items": ["KNIVES  OUT (2019)", "inspired:84", "Okja (2017)"]},
                  {"role": "SEEKER", "text": "Thanks"}
                ]}""", "inspired", INSPIRED);
        assertThat(d.getDialogueId()).isEqualTo("inspired:web-17");
        assertThat(d.getDataset()).isEqualTo("inspired");
        assertThat(d.getSplit()).isEqualTo("test");
        assertThat(d.getSource()).isNull();
        assertThat(d.getTurns()).extracting(Turn::getRole)
                .containsExactly(Role.SEEKER, Role.RECOMMENDER, Role.SEEKER);
        assertThat(d.getTurns()).extracting(Turn::getMentionedItemIds).containsExactly(
                List.of("inspired:219"), List.of("inspired:84", "inspired:3"), List.of());
        assertThat(DialogueJson.detect("{\"turns\": []}")).isEqualTo(DialogueJson.Format.SIMPLE);
    }

    @Test
    void simpleFormatDefaultsAndKeepsAnExistingPrefix() {
        Dialogue d = DialogueJson.parse("""
                {"dialogueId": "inspired:x", "turns": [{"role": "SEEKER", "text": "hi", "items": []}]}""",
                "inspired", INSPIRED);
        assertThat(d.getDialogueId()).isEqualTo("inspired:x");
        assertThat(d.getSplit()).isEqualTo(DialogueJson.DEFAULT_SPLIT);
    }

    @Test
    void simpleFormatErrorsNameTheProblem() {
        assertRejected("{\"turns\": [{\"role\": \"SEEKER\", \"text\": \"hi\"}]}", "missing field 'dialogueId'");
        assertRejected("{\"dialogueId\": \"a\"}", "missing field 'turns'");
        assertRejected("{\"dialogueId\": \"a\", \"turns\": []}", "field 'turns' is empty");
        assertRejected("{\"dialogueId\": \"a\", \"turns\": [{\"role\": \"SEEKER\", \"text\": \"hi\"}, {\"text\": \"yo\"}]}",
                "missing field 'turns[1].role'");
        assertRejected("{\"dialogueId\": \"a\", \"turns\": [{\"role\": \"SEEKER\"}]}", "missing field 'turns[0].text'");
        assertRejected("{\"dialogueId\": \"a\", \"turns\": [{\"role\": \"BOT\", \"text\": \"x\"}]}",
                "'turns[0].role' must be SEEKER or RECOMMENDER, got 'BOT'");
        assertRejected("{\"dialogueId\": \"a\", \"split\": \"dev\", \"turns\": [{\"role\": \"SEEKER\", \"text\": \"x\"}]}",
                "field 'split' must be one of [train, valid, test]");
        assertRejected("{\"dialogueId\": \"a\", \"dataset\": \"redial\", \"turns\": [{\"role\": \"SEEKER\", \"text\": \"x\"}]}",
                "field 'dataset' is 'redial'");
        assertRejected("{\"dialogueId\": \"a\", \"turns\": [{\"role\": \"SEEKER\", \"text\": \"x\", \"items\": "
                + "[\"Parasite (2019)\", \"The Mummy\", \"inspired:999\", \"Joker\"]}]}",
                "'Parasite (2019)' (turns[0].items[0]), 'The Mummy' (turns[0].items[1]), 'inspired:999' (turns[0].items[2])");
    }

    @Test
    void inspiredFormatLine() {
        String line = "[{\"text\": \"Seen Joker?\", \"role\": \"RECOMMENDER\", \"movie\": [\"Joker (2019)\", \"\"], "
                + "\"entity_name\": []}, {\"text\": \"Yes\", \"role\": \"SEEKER\", \"movie\": []}]";
        assertThat(DialogueJson.detect(line)).isEqualTo(DialogueJson.Format.INSPIRED);
        Dialogue d = DialogueJson.parse(line, "inspired", INSPIRED);
        assertThat(d.getDialogueId()).matches("inspired:new:[0-9a-f]{16}");
        assertThat(DialogueJson.parse(line, "inspired", INSPIRED).getDialogueId()).isEqualTo(d.getDialogueId());
        assertThat(d.getTurns()).extracting(Turn::getMentionedItemIds)
                .containsExactly(List.of("inspired:219"), List.of());
        assertRejected("[{\"text\": \"x\", \"role\": \"SEEKER\", \"movie\": [\"Nope (2022)\"]}]",
                "Unknown items", "'Nope (2022)' ([0].movie)");
        assertRejected("[{\"text\": \"x\", \"role\": \"SEEKER\"}]", "missing field '[0].movie'");
        assertRejected("[]", "dialogue has no turns");
    }

    @Test
    void redialFormatLine() {
        String line = """
                {"conversationId": "9001", "initiatorWorkerId": 5, "respondentWorkerId": 6,
                 "movieMentions": {"84779": "The Triplets of Belleville  (2003)", "191602": "Waking Life (2001)"},
                 "initiatorQuestions": {"84779": {"suggested": 0, "seen": 1, "liked": 2}},
                 "respondentQuestions": [],
                 "messages": [
                   {"senderWorkerId": 5, "text": "I liked @84779"},
                   {"senderWorkerId": 5, "text": "and @191602"},
                   {"senderWorkerId": 6, "text": "Then @84779 again!"}]}""";
        assertThat(DialogueJson.detect(line)).isEqualTo(DialogueJson.Format.REDIAL);
        Dialogue d = DialogueJson.parse(line, "redial", REDIAL);
        assertThat(d.getDialogueId()).isEqualTo("redial:9001");
        assertThat(d.getTurns()).hasSize(2);
        assertThat(d.getTurns().get(0).getText()).isEqualTo("I liked The Triplets of Belleville (2003) and Waking Life (2001)");
        assertThat(d.getTurns().get(0).getMentionedItemIds()).containsExactly("redial:84779", "redial:191602");
        assertThat(d.getTurns().get(1).getRole()).isEqualTo(Role.RECOMMENDER);
        assertThat(d.getFeedback()).singleElement().satisfies(f -> {
            assertThat(f.getItemId()).isEqualTo("redial:84779");
            assertThat(f.getRespondent()).isEqualTo("seeker");
            assertThat(f.getSuggested()).isFalse();
            assertThat(f.getSeen()).isTrue();
            assertThat(f.getLiked()).isNull();
        });

        assertRejected(line.replace("\"messages\"", "\"msgs\""), "missing field 'messages'");
        assertRejected(line.replace("and @191602", "and @555"), "@555 (no title in movieMentions)");
        // neither the id nor the dialogue's title is in the catalogue
        assertRejected(line.replace("and @191602", "and @555").replace("\"191602\":", "\"555\": \"Nope (2020)\", \"191602\":"),
                "@555 'Nope (2020)'");
        // an id outside the catalogue is still accepted when the dialogue's title is known
        Dialogue byTitle = DialogueJson.parse(line.replace("@191602", "@777").replace("\"191602\":", "\"777\":"),
                "redial", REDIAL);
        assertThat(byTitle.getTurns().get(0).getMentionedItemIds()).containsExactly("redial:84779", "redial:191602");
    }

    @Test
    @Tag("mirror")
    void realRedialLineMatchesTheReader() throws IOException {
        Path file = MirrorData.dir("redial").resolve("train_data_partial.jsonl");
        String line;
        try (Stream<String> lines = Files.lines(file)) {
            line = lines.findFirst().orElseThrow();
        }
        Function<String, Optional<String>> anyRedialId = s -> Optional.of(s).filter(id -> id.startsWith("redial:"));
        Dialogue d = DialogueJson.parse(line, "redial", anyRedialId);
        assertThat(d.getDialogueId()).isEqualTo("redial:391");
        assertThat(d.getTurns().get(2).getMentionedItemIds())
                .containsExactly("redial:84779", "redial:191602", "redial:122159");
        assertThat(d.getFeedback()).extracting(ItemFeedback::getRespondent).containsOnly("seeker", "recommender");
    }

    @Test
    void readsFromFileAndStream() throws IOException {
        String json = "{\"dialogueId\": \"f\", \"turns\": [{\"role\": \"SEEKER\", \"text\": \"Why Him%3F\", "
                + "\"items\": [\"why him\"]}]}";
        Path file = tmp.resolve("d.json");
        Files.writeString(file, json);
        Dialogue fromFile = DialogueJson.parse(file, "redial", REDIAL);
        assertThat(fromFile.getSource()).isEqualTo(file.toString());
        assertThat(fromFile.getTurns().get(0).getMentionedItemIds()).containsExactly("redial:100493");
        Dialogue fromStream = DialogueJson.parse(
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "redial", REDIAL);
        assertThat(fromStream.getDialogueId()).isEqualTo("redial:f");
    }

    @Test
    void unreadableInputIsRejected() {
        assertRejected("{\"dialogueId\": \"a\",\n \"turns\": [", "invalid JSON at line 2");
        assertRejected("42", "expected an object with 'turns'");
        assertRejected("{\"dialogueId\": \"a\", \"turns\": [{\"role\": \"SEEKER\", \"text\": \"x\"}]} {}", "invalid JSON");
        assertThatThrownBy(() -> DialogueJson.parse("{}", " ", INSPIRED)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataset");
    }

    @Test
    void titleIndexIsTolerantButNotReckless() {
        assertThat(INSPIRED.lookup("knives out (2019)")).contains("inspired:84");
        assertThat(INSPIRED.lookup("  Knives   Out ")).contains("inspired:84");
        assertThat(INSPIRED.lookup("Knives-Out")).contains("inspired:84");
        assertThat(INSPIRED.lookup("whats up doc")).contains("inspired:t:what's up, doc? (1972)");
        assertThat(INSPIRED.lookup("inspired:219")).contains("inspired:219");
        assertThat(INSPIRED.lookup("The Mummy (2017)")).contains("inspired:2");
        assertThat(INSPIRED.lookup("The Mummy")).isEmpty();          // two films, no year to choose
        assertThat(INSPIRED.lookup("Knives Out (2020)")).isEmpty();  // wrong year is not "close enough"
        assertThat(INSPIRED.lookup("Okja (2017)")).contains("inspired:3");
        assertThat(INSPIRED.lookup("")).isEmpty();
        assertThat(INSPIRED.size()).isEqualTo(6);
        TitleIndex dup = TitleIndex.of(List.of(item("redial:1", "Frozen (2010)"), item("redial:2", "Frozen  (2010)")));
        assertThat(dup.lookup("frozen")).contains("redial:1");
    }

    private static void assertRejected(String json, String... messageParts) {
        boolean redial = json.contains("conversationId");
        assertThatThrownBy(() -> DialogueJson.parse(json, redial ? "redial" : "inspired", redial ? REDIAL : INSPIRED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(messageParts);
    }

    private static Item item(String id, String title) {
        return Item.newBuilder().setItemId(id).setDataset(id.substring(0, id.indexOf(':'))).setTitle(title)
                .setYear(Titles.year(title)).setHasMetadata(false).build();
    }
}
