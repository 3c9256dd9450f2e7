package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.crsaug.data.ingest.Ingestor;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Dialogue;
import org.crsaug.testkit.ConsoleCapture;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.NewDialogues;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs ingest --file} as a user runs it, against a real broker: every body shape is published,
 * bad records become dead letters with their line and reason, and the exit code says which happened.
 */
class IngestFileFormatsTest {

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();
    @TempDir
    static Path tmp;
    private static Platform platform;
    private static NewDialogues catalogue;
    private static int run;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @BeforeAll
    static void publishCatalogues() throws Exception {
        platform = kafka.platform(Map.of("topic.prefix", "files-"));
        catalogue = NewDialogues.publishCatalogue(platform, tmp.resolve("data"));
        try (Ingestor ingestor = new Ingestor(platform)) {
            ingestor.ingestDataset("redial", DataSlices.synthetic().dir("redial"));
        }
    }

    private int ingest(String dataset, String name, String content) throws Exception {
        Path file = tmp.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return crs("ingest", "--dataset", dataset, "--file", file.toString());
    }

    private static int crs(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--schema-registry-url",
                kafka.registryUrl(), "--state-dir", tmp.resolve("state-" + run++).toString(),
                "--set", "topic.prefix=files-"));
        return Crs.execute(all.toArray(String[]::new));
    }

    /** The dialogues published from the file, once {@code count} of them are visible to committed readers. */
    private static List<Dialogue> fromFile(String name, int count) throws InterruptedException {
        String file = tmp.resolve(name).toString();
        java.util.function.Predicate<Dialogue> ofFile = d -> d.getSource() != null
                && (d.getSource().equals(file) || d.getSource().startsWith(file + ":"));
        return NewDialogues.await(platform, Topics.DIALOGUES, count + " dialogues from " + name,
                all -> all.stream().filter(ofFile).count() >= count).stream().filter(ofFile).toList();
    }

    @Test
    void oneDialogueInTheSimpleFormat() throws Exception {
        long started = System.nanoTime();
        assertThat(ingest("inspired", "one.json", NewDialogues.simple("f1", catalogue.title(0)))).as(console.stderr())
                .isZero();
        long ms = (System.nanoTime() - started) / 1_000_000;
        console.console().println("MEASURE crs ingest --file of one dialogue, in-process against a running broker: " + ms + " ms");
        assertThat(console.stdout()).contains("1 dialogue published", "published inspired:f1");
        assertThat(fromFile("one.json", 1)).extracting(Dialogue::getDialogueId).containsExactly("inspired:f1");
    }

    @Test
    void aListAndJsonLinesOfSimpleDialogues() throws Exception {
        // a dataset name is taken as typed elsewhere too: case and spaces do not matter
        assertThat(ingest(" Inspired", "list.json", "[" + NewDialogues.simple("l1", catalogue.title(1)) + ",\n"
                + NewDialogues.simple("l2", catalogue.title(2)) + "]")).isZero();
        // dialogues are keyed by id over several partitions: their order on the topic is not the file's
        assertThat(fromFile("list.json", 2)).extracting(Dialogue::getDialogueId)
                .containsExactlyInAnyOrder("inspired:l1", "inspired:l2");
        assertThat(ingest("inspired", "lines.jsonl", NewDialogues.simple("j1", catalogue.title(1)) + "\n"
                + NewDialogues.simple("j2", catalogue.title(2)) + "\n")).isZero();
        assertThat(console.stdout()).contains("lines.jsonl: 2 dialogues published");
        assertThat(fromFile("lines.jsonl", 2)).extracting(Dialogue::getSource)
                .containsExactlyInAnyOrder(tmp.resolve("lines.jsonl") + ":1", tmp.resolve("lines.jsonl") + ":2");
    }

    @Test
    void inspiredAndRedialDatasetLines() throws Exception {
        assertThat(ingest("inspired", "inspired.jsonl", NewDialogues.inspiredLine("a heist", catalogue.title(3))
                + "\n" + NewDialogues.inspiredLine("a western", catalogue.title(4)) + "\n")).isZero();
        assertThat(fromFile("inspired.jsonl", 2)).hasSize(2)
                .allSatisfy(d -> assertThat(d.getDialogueId()).startsWith("inspired:new:"));

        // under ids of their own: the dataset's own test dialogues are published already (a file line is a train
        // dialogue, so the same ids would be changed dialogues, refused)
        List<String> redial = Files.readAllLines(DataSlices.synthetic().dir("redial").resolve("test_data.jsonl"))
                .subList(0, 3).stream().map(l -> l.replaceFirst("\"conversationId\": \"?(\\d+)\"?",
                        "\"conversationId\": \"7$1\"")).toList();
        assertThat(ingest("redial", "redial.jsonl", String.join("\n", redial))).as(console.stderr()).isZero();
        assertThat(fromFile("redial.jsonl", 3)).hasSize(3).allSatisfy(d -> {
            assertThat(d.getDataset()).isEqualTo("redial");
            assertThat(d.getTurns()).isNotEmpty();
            assertThat(d.getTurns().stream().flatMap(t -> t.getMentionedItemIds().stream()))
                    .isNotEmpty().allSatisfy(id -> assertThat(id).startsWith("redial:"));
        });
    }

    @Test
    void badRecordsAreDeadLetteredWithLineAndReasonTheGoodOnesArePublishedAndTheExitCodeSaysSo() throws Exception {
        String body = String.join("\n",
                NewDialogues.simple("b1", catalogue.title(0)),
                "{this is not json",
                NewDialogues.simple("b3", NewDialogues.UNKNOWN_TITLE),
                NewDialogues.withoutTurns("b4"),
                NewDialogues.simple("b5", catalogue.title(1)));
        assertThat(ingest("inspired", "mixed.jsonl", body)).isEqualTo(IngestCommand.BAD_RECORDS);
        assertThat(console.stdout()).contains("mixed.jsonl: 2 dialogues published, 3 bad records sent to dead-letters",
                "crs dlq list");
        assertThat(console.stderr()).contains("line 2: not JSON", "line 3: Unknown items", "line 4: Invalid dialogue (simple format): missing field 'turns'");
        assertThat(fromFile("mixed.jsonl", 2)).extracting(Dialogue::getDialogueId)
                .containsExactlyInAnyOrder("inspired:b1", "inspired:b5");

        String file = tmp.resolve("mixed.jsonl").toString();
        List<DeadLetter> letters = new ArrayList<>(NewDialogues.await(platform, Topics.DEAD_LETTERS, "3 dead letters",
                        all -> all.stream().filter(l -> l.getSourceTopic().equals("file:" + file)).count() >= 3).stream()
                .filter(l -> l.getSourceTopic().equals("file:" + file))
                .sorted(java.util.Comparator.comparingLong(DeadLetter::getOffset)).toList());
        assertThat(letters).extracting(DeadLetter::getOffset).containsExactly(2L, 3L, 4L);
        assertThat(letters).extracting(DeadLetter::getStage).containsOnly(Ingestor.STAGE);
        assertThat(letters.get(0).getError()).contains("not JSON");
        assertThat(letters.get(1).getError()).contains(NewDialogues.UNKNOWN_TITLE);
        assertThat(letters.get(2).getError()).contains("missing field 'turns'");
        assertThat(StandardCharsets.UTF_8.decode(letters.get(2).getOriginalValue()).toString())
                .isEqualTo(NewDialogues.withoutTurns("b4"));
    }

    @Test
    void aSingleBadDialogueIsADeadLetterAndAnErrorToo() throws Exception {
        assertThat(ingest("inspired", "bad.json", NewDialogues.simple("x1", NewDialogues.UNKNOWN_TITLE)))
                .isEqualTo(IngestCommand.BAD_RECORDS);
        assertThat(console.stderr()).contains("bad.json: body: Unknown items");
        assertThat(console.stdout()).contains("0 dialogues published, 1 bad record sent to dead-letters");
        // a later file visible means this one's transaction is complete: had it published, that would show
        assertThat(ingest("inspired", "after-bad.json", NewDialogues.simple("x2", catalogue.title(0)))).isZero();
        fromFile("after-bad.json", 1);
        assertThat(fromFile("bad.json", 0)).isEmpty();
    }

    @Test
    void aResentDialogueIsNotPublishedAgainAndAChangedOneUnderItsIdIsRefusedUnlessReplaceIsGiven() throws Exception {
        assertThat(ingest("inspired", "first.json", NewDialogues.simple("c1", catalogue.title(0)))).isZero();
        assertThat(ingest("inspired", "first-again.json", NewDialogues.simple("c1", catalogue.title(0)))).isZero();
        assertThat(console.stdout()).contains("first-again.json: 0 dialogues published, 1 already published"
                + " unchanged and not sent again (inspired:c1)");

        console.reset();
        String changed = NewDialogues.simple("c1", catalogue.title(1));
        java.io.InputStream stdin = System.in;
        System.setIn(new java.io.ByteArrayInputStream(changed.getBytes(StandardCharsets.UTF_8)));
        try {
            assertThat(crs("ingest", "--dataset", "inspired", "--file", "-")).isEqualTo(IngestCommand.BAD_RECORDS);
        } finally {
            System.setIn(stdin);
        }
        assertThat(console.stderr()).contains("stdin: dialogue inspired:c1: a different dialogue is already"
                + " published under this id (from " + tmp.resolve("first.json") + ")", "--replace");
        assertThat(console.stdout()).contains("0 dialogues published, 1 bad record sent to dead-letters");

        console.reset();
        Path file = tmp.resolve("changed.json");
        Files.writeString(file, changed, StandardCharsets.UTF_8);
        assertThat(crs("ingest", "--dataset", "inspired", "--file", file.toString(), "--replace")).isZero();
        assertThat(console.stdout()).contains("changed.json: 1 dialogue published (1 replacing an earlier version:"
                + " inspired:c1)");
        assertThat(fromFile("changed.json", 1)).extracting(Dialogue::getDialogueId).containsExactly("inspired:c1");

        console.reset();
        assertThat(crs("ingest", "--dataset", "inspired", "--replace")).isEqualTo(2);
        assertThat(console.stderr()).contains("--replace goes with --file");
    }

    @Test
    void watchingADirectoryThatIsNotThereSaysSo() {
        assertThat(crs("ingest", "--dataset", "inspired", "--watch", tmp.resolve("nowhere").toString())).isEqualTo(1);
        assertThat(console.stderr()).contains("Cannot watch", "nowhere", "not a directory");
        assertThat(crs("ingest", "--dataset", "inspired", "--watch", tmp.toString(), "--file", "x.json")).isNotZero();
        assertThat(console.stderr()).contains("mutually exclusive");
    }

    @Test
    void bytesThatAreNotUtf8AreABadRecordFromAFileAndFromStandardInputAlike() throws Exception {
        // the second line as an editor saving Latin-1 writes it: 'é' is the one byte 0xE9
        byte[] good = (NewDialogues.simple("u1", catalogue.title(0)) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] latin1 = NewDialogues.simple("u2-caf\u00e9", catalogue.title(1)).getBytes(StandardCharsets.ISO_8859_1);
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.write(good);
        body.write(latin1);
        Path file = tmp.resolve("latin1.jsonl");
        Files.write(file, body.toByteArray());

        assertThat(crs("ingest", "--dataset", "inspired", "--file", file.toString()))
                .isEqualTo(IngestCommand.BAD_RECORDS);
        assertThat(console.stderr()).contains("latin1.jsonl: line 2: not valid UTF-8 (byte ", "0xE9")
                .doesNotContain("Exception");
        assertThat(console.stdout()).contains("1 dialogue published, 1 bad record sent to dead-letters");
        assertThat(fromFile("latin1.jsonl", 1)).extracting(Dialogue::getDialogueId).containsExactly("inspired:u1");

        console.reset();
        java.io.InputStream stdin = System.in;
        System.setIn(new java.io.ByteArrayInputStream(latin1));
        try {
            assertThat(crs("ingest", "--dataset", "inspired", "--file", "-")).isEqualTo(IngestCommand.BAD_RECORDS);
        } finally {
            System.setIn(stdin);
        }
        assertThat(console.stderr()).contains("stdin: body: not valid UTF-8 (line 1, byte ", "0xE9");
        assertThat(console.stdout()).contains("0 dialogues published, 1 bad record sent to dead-letters");
    }

    @Test
    void aMissingFileOrADirectoryIsOneClearLine() {
        assertThat(crs("ingest", "--dataset", "inspired", "--file", tmp.resolve("nowhere.json").toString()))
                .isEqualTo(1);
        assertThat(console.stderr()).contains("error: No such file: ", "nowhere.json").doesNotContain("Exception");
        console.reset();
        assertThat(crs("ingest", "--dataset", "inspired", "--file", tmp.toString())).isEqualTo(1);
        assertThat(console.stderr()).contains("is a directory; name a file, or use --watch").doesNotContain("Exception");
    }

    @Test
    void crsUpRefusesAWatchItCannotDoBeforeStartingAnything() {
        // --watch-dataset, not --dataset: no dataset to ingest, so no data directory is needed for this refusal
        assertThat(crs("up", "--watch", tmp.resolve("nowhere").toString(), "--watch-dataset", "inspired")).isEqualTo(1);
        assertThat(console.stderr()).contains("Cannot watch", "nowhere", "not a directory");
        console.reset();
        // flags that do not fit together or name nothing known: usage errors
        assertThat(crs("up", "--watch", tmp.toString())).isEqualTo(2);
        assertThat(console.stderr()).contains("--watch needs the dataset", "--watch-dataset");
        console.reset();
        assertThat(crs("up", "--watch", tmp.toString(), "--watch-dataset", "movielens")).isEqualTo(2);
        assertThat(console.stderr()).contains("Unknown --watch-dataset 'movielens'", "redial", "inspired");
    }
}
