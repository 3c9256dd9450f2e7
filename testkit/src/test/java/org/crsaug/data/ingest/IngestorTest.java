package org.crsaug.data.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.testkit.DataSet;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

class IngestorTest {

    /** Started once for the class, closed after its last test. */
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    private static <V extends org.apache.avro.specific.SpecificRecord> long count(Platform p,
            org.crsaug.platform.topic.TopicSpec<V> spec) {
        try (TopicFollower<V> f = new TopicFollower<>(p, spec, "count-" + spec.baseName())) {
            return f.catchUp(r -> { }, Duration.ofSeconds(30));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.crsaug.testkit.DataSlices#dataSets")
    void inspiredIsPublishedOnceAndReIngestingPublishesNothing(DataSet data) throws Exception {
        Path inspired = data.dir("inspired");
        long dialogueLines = DataSlices.lineCount(inspired.resolve("train.jsonl"))
                + DataSlices.lineCount(inspired.resolve("valid.jsonl"))
                + DataSlices.lineCount(inspired.resolve("test.jsonl"));
        Platform platform = kafka.platform(Map.of("topic.prefix", "once-" + data + "-"));

        Ingestor.Report first;
        try (Ingestor ingestor = new Ingestor(platform)) {
            first = ingestor.ingestDataset("inspired", inspired);
        }

        assertThat(first.dialoguesRead()).isEqualTo(dialogueLines);
        assertThat(first.dialoguesPublished()).isEqualTo(dialogueLines);
        assertThat(first.failures()).isZero();
        assertThat(count(platform, Topics.DIALOGUES)).isEqualTo(dialogueLines);
        // every movie with metadata, plus titles mentioned in dialogues that have none
        int withMetadata = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(inspired.resolve("id2info.json").toFile()).size();
        assertThat(first.itemsPublished()).isGreaterThanOrEqualTo(withMetadata);
        assertThat(count(platform, Topics.ITEMS)).isEqualTo(first.itemsPublished());

        Ingestor.Report second;
        try (Ingestor ingestor = new Ingestor(platform)) {
            second = ingestor.ingestDataset("inspired", inspired);
        }
        assertThat(second.dialoguesRead()).isEqualTo(dialogueLines);
        assertThat(second.dialoguesPublished()).isZero();
        assertThat(second.itemsPublished()).isZero();
        assertThat(count(platform, Topics.DIALOGUES)).isEqualTo(dialogueLines);
    }

    @Test
    void badLinesBecomeDeadLettersWithFileLineAndReasonWhileGoodLinesGoThrough(@TempDir Path tmp) throws Exception {
        Path root = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp, Map.of("train", 3, "valid", 1, "test", 1));
        Path train = root.resolve("inspired/train.jsonl");
        Files.writeString(train, "{this is not json\n[{\"role\": \"SEEKER\"}]\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        Platform platform = kafka.platform(Map.of("topic.prefix", "badlines-"));
        platform.ensureTopics();

        Ingestor.Report report;
        try (Ingestor ingestor = new Ingestor(platform)) {
            report = ingestor.ingestDataset("inspired", root.resolve("inspired"));
        }

        assertThat(report.failures()).isEqualTo(2);
        assertThat(report.dialoguesPublished()).isEqualTo(5);
        List<ConsumerRecord<String, DeadLetter>> letters = TestKafka.readAll(platform, Topics.DEAD_LETTERS, 2,
                Duration.ofSeconds(30));
        assertThat(letters).hasSize(2);
        assertThat(letters).allSatisfy(r -> {
            assertThat(r.value().getSourceTopic()).isEqualTo("file:" + train);
            assertThat(r.value().getStage()).isEqualTo(Ingestor.STAGE);
            assertThat(r.value().getError()).isNotBlank();
            assertThat(r.value().getOriginalValue()).isNotNull();
        });
        assertThat(letters.stream().map(r -> r.value().getOffset()).collect(Collectors.toSet()))
                .isEqualTo(Set.of(4L, 5L));
        List<ConsumerRecord<String, Dialogue>> dialogues = TestKafka.readAll(platform, Topics.DIALOGUES, 5,
                Duration.ofSeconds(30));
        assertThat(dialogues).hasSize(5);
        List<ConsumerRecord<String, Item>> items = TestKafka.readAll(platform, Topics.ITEMS, 1, Duration.ofSeconds(30));
        assertThat(items).isNotEmpty();
    }

    @Test
    void aDatasetLineEditedSinceTheLastIngestReplacesItsDialogueAndTheReportNamesIt(@TempDir Path tmp)
            throws Exception {
        Path root = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp, Map.of("train", 3, "valid", 1, "test", 1));
        Path train = root.resolve("inspired/train.jsonl");
        Platform platform = kafka.platform(Map.of("topic.prefix", "edited-"));
        platform.ensureTopics();
        try (Ingestor ingestor = new Ingestor(platform)) {
            assertThat(ingestor.ingestDataset("inspired", root.resolve("inspired")).dialoguesReplaced()).isEmpty();
        }
        List<String> lines = Files.readAllLines(train, StandardCharsets.UTF_8);
        lines.set(1, lines.get(1).replaceFirst("\"text\": \"", "\"text\": \"(edited) "));
        Files.write(train, lines, StandardCharsets.UTF_8);

        Ingestor.Report again;
        try (Ingestor ingestor = new Ingestor(platform)) {
            again = ingestor.ingestDataset("inspired", root.resolve("inspired"));
        }
        assertThat(again.dialoguesPublished()).isEqualTo(1);
        assertThat(again.dialoguesReplaced()).containsExactly("inspired:train:2");
        assertThat(again.replacedNote()).isEqualTo("; replaced 1 changed dialogue: inspired:train:2");
    }

    @Test
    void aLongDialogueIsPublishedAndOneTooLargeForTheBrokerBecomesADeadLetter(@TempDir Path tmp) throws Exception {
        Path root = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp, Map.of("train", 2, "valid", 1, "test", 1));
        Path train = root.resolve("inspired/train.jsonl");
        String unicode = "Ünïcödé 🎬 \u202Eright-to-left\u202C 名作 ";
        String longTurn = unicode.repeat(1_200_000 / unicode.length());
        String hugeTurn = "x".repeat(9 * 1024 * 1024);
        Files.writeString(train, line(longTurn) + "\n" + line(hugeTurn) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        Platform platform = kafka.platform(Map.of("topic.prefix", "large-"));
        platform.ensureTopics();

        Ingestor.Report report;
        try (Ingestor ingestor = new Ingestor(platform)) {
            report = ingestor.ingestDataset("inspired", root.resolve("inspired"));
        }

        assertThat(report.dialoguesRead()).isEqualTo(6);
        assertThat(report.dialoguesPublished()).isEqualTo(5);
        assertThat(report.failures()).isEqualTo(1);
        List<ConsumerRecord<String, Dialogue>> dialogues = TestKafka.readAll(platform, Topics.DIALOGUES, 5,
                Duration.ofSeconds(30));
        assertThat(dialogues).extracting(r -> r.value().getTurns().get(0).getText())
                .anySatisfy(t -> assertThat(t).isEqualTo(longTurn));
        List<ConsumerRecord<String, DeadLetter>> letters = TestKafka.readAll(platform, Topics.DEAD_LETTERS, 1,
                Duration.ofSeconds(30));
        assertThat(letters).singleElement().satisfies(r -> {
            assertThat(r.value().getSourceTopic()).isEqualTo("file:inspired/train.jsonl:4");
            assertThat(r.value().getError()).contains("RecordTooLarge").contains("truncated");
            assertThat(r.value().getOriginalValue().remaining()).isEqualTo(1 << 20);
        });
    }

    private static String line(String seekerText) {
        return "[{\"text\": " + com.fasterxml.jackson.databind.node.TextNode.valueOf(seekerText)
                + ", \"role\": \"SEEKER\", \"movie\": []},"
                + " {\"text\": \"Try Knives Out\", \"role\": \"RECOMMENDER\", \"movie\": [\"Knives Out (2019)\"]}]";
    }
}
