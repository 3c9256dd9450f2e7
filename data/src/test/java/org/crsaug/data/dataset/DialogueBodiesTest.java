package org.crsaug.data.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.crsaug.data.dataset.DialogueBodies.BadRecord;
import org.crsaug.data.dataset.DialogueBodies.Parsed;
import org.crsaug.data.dataset.DialogueBodies.Shape;
import org.crsaug.schema.Dialogue;
import org.junit.jupiter.api.Test;

/** Every body shape is recognised, and every kind of bad record is reported with its position and reason. */
class DialogueBodiesTest {

    /** Titles and ids as the catalogue would resolve them; anything else is an unknown item. */
    private static final Map<String, String> CATALOGUE = Map.of(
            "Joker (2019)", "inspired:219", "inspired:219", "inspired:219",
            "Knives Out (2019)", "inspired:84", "redial:84779", "redial:84779");
    private static final Function<String, Optional<String>> TITLES = t -> Optional.ofNullable(CATALOGUE.get(t));

    private static String simple(String id, String item) {
        return "{\"dialogueId\": \"" + id + "\", \"turns\": [{\"role\": \"SEEKER\", \"text\": \"like this\", "
                + "\"items\": [\"" + item + "\"]}]}";
    }

    private static final String INSPIRED_LINE = "[{\"text\": \"Seen Joker?\", \"role\": \"RECOMMENDER\", "
            + "\"movie\": [\"Joker (2019)\"]}, {\"text\": \"Yes\", \"role\": \"SEEKER\", \"movie\": []}]";
    private static final String REDIAL_LINE = "{\"conversationId\": \"9001\", \"initiatorWorkerId\": 5, "
            + "\"movieMentions\": {\"84779\": \"The Triplets of Belleville (2003)\"}, \"messages\": ["
            + "{\"senderWorkerId\": 5, \"text\": \"I liked @84779\"}, {\"senderWorkerId\": 6, \"text\": \"Nice\"}]}";

    private static Parsed parse(String body) {
        return parse(body, "inspired");
    }

    private static Parsed parse(String body, String dataset) {
        return DialogueBodies.parse(body, dataset, TITLES, "drop/new.json");
    }

    @Test
    void oneDialogueInTheSimpleFormat() {
        Parsed p = parse(simple("web-1", "Joker (2019)"));
        assertThat(p.shape()).isEqualTo(Shape.ONE);
        assertThat(p.bad()).isEmpty();
        assertThat(p.dialogues()).singleElement().satisfies(d -> {
            assertThat(d.getDialogueId()).isEqualTo("inspired:web-1");
            assertThat(d.getSource()).isEqualTo("drop/new.json");
            assertThat(d.getTurns().get(0).getMentionedItemIds()).containsExactly("inspired:219");
        });
    }

    @Test
    void aListOfDialoguesInAnyOfTheFormats() {
        Parsed p = parse("[\n" + simple("a", "Joker (2019)") + ",\n" + INSPIRED_LINE + ",\n"
                + simple("b", "inspired:219") + "\n]");
        assertThat(p.shape()).isEqualTo(Shape.LIST);
        assertThat(p.bad()).isEmpty();
        assertThat(p.dialogues()).extracting(Dialogue::getDialogueId)
                .containsExactly("inspired:a", parse(INSPIRED_LINE).dialogues().get(0).getDialogueId(), "inspired:b");
        assertThat(p.dialogues()).extracting(Dialogue::getSource)
                .containsExactly("drop/new.json:2", "drop/new.json:3", "drop/new.json:4");
    }

    @Test
    void oneInspiredLineIsOneDialogueNotAListOfThem() {
        Parsed p = parse(INSPIRED_LINE);
        assertThat(p.shape()).isEqualTo(Shape.ONE);
        assertThat(p.dialogues()).singleElement().satisfies(d -> assertThat(d.getTurns()).hasSize(2));
    }

    @Test
    void jsonLinesOfSimpleAndInspiredDialogues() {
        Parsed p = parse(simple("a", "Joker (2019)") + "\n\n" + INSPIRED_LINE + "\r\n" + simple("c", "Knives Out (2019)")
                + "\n");
        assertThat(p.shape()).isEqualTo(Shape.JSON_LINES);
        assertThat(p.bad()).isEmpty();
        assertThat(p.dialogues()).hasSize(3);
        assertThat(p.dialogues()).extracting(Dialogue::getSource)
                .containsExactly("drop/new.json:1", "drop/new.json:3", "drop/new.json:4");
    }

    @Test
    void redialLinesAreReadWithTheReadersParsing() {
        Parsed p = parse(REDIAL_LINE + "\n" + REDIAL_LINE.replace("9001", "9002"), "redial");
        assertThat(p.shape()).isEqualTo(Shape.JSON_LINES);
        assertThat(p.bad()).isEmpty();
        assertThat(p.dialogues()).extracting(Dialogue::getDialogueId).containsExactly("redial:9001", "redial:9002");
        assertThat(p.dialogues().get(0).getTurns().get(0).getText())
                .isEqualTo("I liked The Triplets of Belleville (2003)");
        assertThat(p.dialogues().get(0).getTurns().get(0).getMentionedItemIds()).containsExactly("redial:84779");
    }

    @Test
    void everyBadLineIsReportedWithItsLineAndReasonAndTheGoodOnesStillParse() {
        String body = String.join("\n",
                simple("good", "Joker (2019)"),
                simple("unknown", "No Such Film (1899)"),
                "{\"dialogueId\": \"noturns\"}",
                "{this is not json",
                "[{\"text\": \"x\", \"role\": \"SEEKER\"}]",
                "\"just a string\"",
                simple("good", "inspired:219"));
        Parsed p = parse(body);
        assertThat(p.shape()).isEqualTo(Shape.JSON_LINES);
        assertThat(p.dialogues()).extracting(Dialogue::getDialogueId).containsExactly("inspired:good");
        assertThat(p.bad()).extracting(BadRecord::position).containsExactly(2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(p.bad().get(0).reason()).contains("Unknown items", "'No Such Film (1899)' (turns[0].items[0])");
        assertThat(p.bad().get(0).where()).isEqualTo("line 2");
        assertThat(p.bad().get(0).raw()).isEqualTo(simple("unknown", "No Such Film (1899)"));
        assertThat(p.bad().get(1).reason()).contains("missing field 'turns'");
        assertThat(p.bad().get(2).reason()).startsWith("not JSON (invalid JSON at column");
        assertThat(p.bad().get(3).reason()).contains("missing field '[0].movie'");
        assertThat(p.bad().get(4).reason()).contains("expected an object with 'turns'", "got a string");
        assertThat(p.bad().get(5).reason()).contains("inspired:good is already given at line 1");
    }

    @Test
    void badElementsOfAListNameTheirIndexAndLine() {
        Parsed p = parse("[\n" + simple("a", "Joker (2019)") + ",\n{\"dialogueId\": \"b\", \"turns\": []}\n]");
        assertThat(p.shape()).isEqualTo(Shape.LIST);
        assertThat(p.dialogues()).hasSize(1);
        assertThat(p.bad()).singleElement().satisfies(b -> {
            assertThat(b.position()).isEqualTo(3);
            assertThat(b.where()).isEqualTo("element [1] at line 3");
            assertThat(b.reason()).contains("field 'turns' is empty");
            assertThat(b.toString()).isEqualTo("element [1] at line 3: " + b.reason());
        });
    }

    @Test
    void aBrokenDocumentIsOneBadRecordNotOnePerLine() {
        Parsed p = parse("{\n  \"dialogueId\": \"a\",\n  \"turns\": [\n    {\"role\": \"SEEKER\", \"text\": \"hi\"\n  ]\n}\n");
        assertThat(p.dialogues()).isEmpty();
        assertThat(p.bad()).singleElement().satisfies(b -> {
            assertThat(b.where()).isEqualTo("body");
            assertThat(b.reason()).startsWith("not JSON (invalid JSON at line 5");
        });
    }

    @Test
    void emptyAndScalarBodiesSayWhatIsExpected() {
        assertThat(parse("  \n").bad()).singleElement()
                .satisfies(b -> assertThat(b.reason()).startsWith("empty; expected one dialogue as JSON"));
        assertThat(parse("42").bad()).singleElement()
                .satisfies(b -> assertThat(b.reason()).contains("got a number"));
        assertThat(parse("[]").bad()).singleElement()
                .satisfies(b -> assertThat(b.reason()).contains("dialogue has no turns"));
    }

    @Test
    void aMissingTurnInAListOfDialoguesIsThatElementsError() {
        Parsed p = parse("[" + simple("a", "Joker (2019)") + ", {\"dialogueId\": \"b\"}]");
        assertThat(p.dialogues()).hasSize(1);
        assertThat(p.bad()).singleElement().satisfies(b -> {
            assertThat(b.where()).isEqualTo("element [1] at line 1");
            assertThat(b.reason()).contains("missing field 'turns'");
            assertThat(b.raw()).isEqualTo("{\"dialogueId\":\"b\"}");
        });
        assertThat(List.of(p.shape())).containsExactly(Shape.LIST);
    }

    private static Parsed parseBytes(byte[] body) {
        return DialogueBodies.parse(body, "inspired", TITLES, "drop/new.json");
    }

    /** {@code text} with its first 'é' written as Latin-1 (one byte 0xE9), as a file saved in the wrong encoding is. */
    private static byte[] latin1E(String text) {
        int at = text.indexOf('é');
        byte[] before = text.substring(0, at).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] after = text.substring(at + 1).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = java.util.Arrays.copyOf(before, before.length + 1 + after.length);
        out[before.length] = (byte) 0xE9;
        System.arraycopy(after, 0, out, before.length + 1, after.length);
        return out;
    }

    @Test
    void aJsonLineThatIsNotUtf8IsABadRecordOfItsOwnAndTheOthersArrive() {
        String body = simple("a", "Joker (2019)") + "\n" + simple("café", "Joker (2019)") + "\n"
                + simple("c", "Knives Out (2019)") + "\n";
        Parsed p = parseBytes(latin1E(body));
        assertThat(p.shape()).isEqualTo(Shape.JSON_LINES);
        assertThat(p.dialogues()).extracting(Dialogue::getDialogueId).containsExactly("inspired:a", "inspired:c");
        assertThat(p.bad()).singleElement().satisfies(b -> {
            assertThat(b.position()).isEqualTo(2);
            assertThat(b.where()).isEqualTo("line 2");
            assertThat(b.reason()).startsWith("not valid UTF-8 (byte ").contains("0xE9", "save it as UTF-8");
            assertThat(b.raw()).contains("caf\uFFFD");
        });
        // the same body as text (valid UTF-8) has no bad record: the check is the bytes', not the parser's
        assertThat(parseBytes(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)).bad()).isEmpty();
    }

    @Test
    void oneDocumentThatIsNotUtf8IsOneBadRecordAndABomIsDropped() {
        Parsed p = parseBytes(latin1E("{\n  \"dialogueId\": \"café\",\n  \"turns\": [{\"role\": \"SEEKER\", "
                + "\"text\": \"hi\"}]\n}"));
        assertThat(p.dialogues()).isEmpty();
        assertThat(p.bad()).singleElement().satisfies(b -> {
            assertThat(b.where()).isEqualTo("body");
            assertThat(b.reason()).startsWith("not valid UTF-8 (line 2, byte ").contains("0xE9");
        });

        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = simple("b", "Joker (2019)").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] withBom = java.util.Arrays.copyOf(bom, bom.length + text.length);
        System.arraycopy(text, 0, withBom, bom.length, text.length);
        assertThat(parseBytes(withBom).dialogues()).extracting(Dialogue::getDialogueId).containsExactly("inspired:b");
    }

    @Test
    void anIdOfAnotherDatasetIsRefusedNotRenamed() {
        Parsed p = parse(simple("redial:999999", "Joker (2019)"));
        assertThat(p.dialogues()).isEmpty();
        assertThat(p.bad()).singleElement().extracting(BadRecord::reason).asString()
                .contains("'redial:999999' belongs to redial, not inspired", "--dataset redial");
        assertThat(parse(simple("inspired:7", "Joker (2019)")).dialogues()).extracting(Dialogue::getDialogueId)
                .containsExactly("inspired:7");
    }
}
