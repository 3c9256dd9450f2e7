package org.crsaug.data.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.state.PipelineState;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Judgement;
import org.crsaug.schema.Label;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.PipelineInputs;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs export} on a real broker: a checkpoint's lineage exported twice, and again after new dialogues and
 * labels arrived, gives the same bytes; every file reads back with a JSON reader into the labels the
 * {@code augmented-labels} topic held at the checkpoint.
 */
class LabelExportTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DATASET = PipelineInputs.DATASET;
    private static final List<ExportFormat> FORMATS = List.of(ExportFormat.jsonl, ExportFormat.fnscrs,
            ExportFormat.inspired);

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Test
    void aCheckpointExportsTheSameBytesTwiceAndAfterNewDataAndReadsBackToItsLabels(@TempDir Path tmp)
            throws Exception {
        Path slice = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp.resolve("data"),
                Map.of("train", 12, "valid", 3, "test", 3));
        Platform p = kafka.platform(Map.of("topic.prefix", "export."));
        int labelled = PipelineInputs.publish(p, slice, 8);
        PipelineInputs.publishProvenance(p);
        String checkpoint = PipelineInputs.publishCheckpoint(p, "inspired-r1-export", 1_000L).getCheckpointId();
        Map<String, AugmentedLabels> topic = labels(p);
        assertThat(topic).hasSize(labelled).hasSize(8);

        Map<String, byte[]> first = exportAll(p, null, tmp.resolve("first"));
        Map<String, byte[]> second = exportAll(p, checkpoint, tmp.resolve("second"));
        assertThat(second).containsOnlyKeys(first.keySet());
        first.forEach((name, bytes) -> assertThat(second.get(name)).as(name).isEqualTo(bytes));

        // new dialogues and labels arrive after the checkpoint: its export does not change
        PipelineInputs.publishAgainAs(p, "train", "inspired:later:1");
        assertThat(PipelineInputs.labelMore(p, 2)).isEqualTo(2);
        PipelineInputs.publishProvenance(p);
        assertThat(labels(p)).hasSize(labelled + 2);
        Map<String, byte[]> later = exportAll(p, checkpoint, tmp.resolve("later"));
        first.forEach((name, bytes) -> assertThat(later.get(name)).as(name).isEqualTo(bytes));
        assertThat(later).containsOnlyKeys(first.keySet());

        // jsonl: one record per labelled context, holding exactly the topic's labels and their provenance
        List<JsonNode> records = read(tmp.resolve("first/jsonl/inspired-labels.jsonl"));
        assertThat(records).hasSize(topic.size());
        for (JsonNode r : records) {
            AugmentedLabels l = topic.get(r.get("contextId").asText());
            assertThat(l).as(r.get("contextId").asText()).isNotNull();
            assertThat(r.get("dialogueId").asText()).isEqualTo(l.getDialogueId());
            assertThat(itemIds(r.get("augmented"))).isEqualTo(l.getLabels().stream().map(Label::getItemId).toList());
            assertThat(r.get("turns").size()).isPositive();
            assertThat(r.get("gold").size()).isPositive();
            assertThat(r.get("encoder").asText()).isEqualTo(PipelineInputs.ENCODER);
            assertThat(r.get("judge").asText()).isEqualTo("test");
            for (JsonNode a : r.get("augmented")) {
                assertThat(a.get("score").floatValue()).isEqualTo(4f);
                assertThat(a.get("promptVersion").asText()).isEqualTo("relevance-v1");
                assertThat(a.get("source").asText()).isEqualTo("semantic");
                assertThat(a.get("encoder").asText()).isEqualTo(PipelineInputs.ENCODER);
                assertThat(a.get("title").asText()).isNotBlank();
            }
        }

        // fnscrs: stage one has one line per (context, augmented item), stage two one per context with gold
        List<JsonNode> aug = read(tmp.resolve("first/fnscrs/train_data_aug.jsonl"));
        Set<String> pairs = new HashSet<>();
        topic.values().forEach(l -> l.getLabels().forEach(x -> pairs.add(l.getContextId() + "|" + x.getItemId())));
        assertThat(aug).hasSize(topic.values().stream().mapToInt(l -> l.getLabels().size()).sum());
        Map<String, JsonNode> turnsByContext = new TreeMap<>();
        records.forEach(r -> turnsByContext.put(r.get("contextId").asText(), r.get("turns")));
        Set<String> exported = new HashSet<>();
        for (JsonNode line : aug) {
            assertThat(line.get("rec").size()).isEqualTo(1);
            exported.add(line.get("contextId").asText() + "|" + line.get("rec").get(0).asText());
            assertThat(line.get("resp").asText()).isNotBlank();
            assertSeekerTurnsEven(line.get("context"), turnsByContext.get(line.get("contextId").asText()));
        }
        assertThat(exported).isEqualTo(pairs);
        List<DialogueContext> trainContexts;
        try (PipelineState state = new PipelineState(p, "test-export-check")) {
            state.catchUpTo(checkpointRanges(p, checkpoint), Duration.ofMinutes(1));
            trainContexts = state.contexts(DATASET, "train");
        }
        List<JsonNode> orig = read(tmp.resolve("first/fnscrs/train_data_processed.jsonl"));
        assertThat(orig).hasSize(trainContexts.size());
        // in the order of the dataset file's lines, which is not the order of the ids
        Map<String, List<String>> goldByContext = new TreeMap<>();
        orig.forEach(l -> goldByContext.put(l.get("contextId").asText(), itemList(l.get("rec"))));
        Map<String, List<String>> expectedGold = new TreeMap<>();
        trainContexts.forEach(c -> expectedGold.put(c.contextId(), c.goldItemIds()));
        assertThat(goldByContext).isEqualTo(expectedGold);
        assertThat(tmp.resolve("first/fnscrs/valid_data_processed.jsonl")).exists();

        // inspired: the dataset's lines, with as many annotated recommender turns as labelled contexts
        int annotated = 0;
        for (String split : List.of("train", "valid", "test")) {
            for (JsonNode line : read(tmp.resolve("first/inspired/" + split + ".jsonl"))) {
                for (JsonNode turn : line) {
                    if (turn.has("augmented")) {
                        assertThat(turn.get("role").asText()).isEqualTo("RECOMMENDER");
                        annotated++;
                    }
                }
            }
        }
        assertThat(annotated).isEqualTo(topic.size());
        JsonNode manifest = JSON.readTree(tmp.resolve("first/inspired/manifest.json").toFile());
        assertThat(manifest.get("checkpointId").asText()).isEqualTo(checkpoint);
        assertThat(manifest.get("labelledContexts").asInt()).isEqualTo(topic.size());
    }

    @Test
    void labelsCarryingTheirProvenanceExportTheSameAfterTheContextsAreReRetrievedAndReJudged(@TempDir Path tmp)
            throws Exception {
        // Given labels as the scorer writes them now: each with its source and prompt version, the record with
        // its encoder, pinned by a checkpoint
        Path slice = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp.resolve("data"),
                Map.of("train", 12, "valid", 3, "test", 3));
        Platform p = kafka.platform(Map.of("topic.prefix", "export-pinned."));
        PipelineInputs.publish(p, slice, 6);
        for (AugmentedLabels l : labels(p).values()) {
            TestKafka.send(p, Topics.AUGMENTED_LABELS, l.getContextId(), AugmentedLabels.newBuilder(l)
                    .setEncoderId(PipelineInputs.ENCODER)
                    .setLabels(l.getLabels().stream().map(x -> Label.newBuilder(x).setSource("fusion")
                            .setPromptVersion("relevance-v1").build()).toList()).build());
        }
        String checkpoint = PipelineInputs.publishCheckpoint(p, "inspired-r1-export", 1_000L).getCheckpointId();
        Map<String, byte[]> first = exportAll(p, checkpoint, tmp.resolve("first"));

        // When every context is retrieved again by another encoder and source, and judged again under another
        // prompt with the same scores (records that agree with every pinned label's judge, version and score)
        try (var candidates = p.producer(Topics.CANDIDATES, "test-later-candidates");
                var pairs = p.producer(Topics.SCORED_PAIRS, "test-later-pairs")) {
            for (AugmentedLabels l : labels(p).values()) {
                List<org.crsaug.schema.Candidate> items = new ArrayList<>();
                for (Label x : l.getLabels()) {
                    items.add(org.crsaug.schema.Candidate.newBuilder().setItemId(x.getItemId()).setRank(items.size())
                            .setRetrievalScore(1f).setSource("collaborative").build());
                    pairs.send(new org.apache.kafka.clients.producer.ProducerRecord<>(p.config().topic(
                            Topics.SCORED_PAIRS), l.getContextId() + "|" + x.getItemId(),
                            org.crsaug.schema.ScoredPair.newBuilder().setContextId(l.getContextId())
                                    .setItemId(x.getItemId()).setScore(x.getScore()).setJudgeId(l.getJudgeId())
                                    .setJudgeVersion(l.getJudgeVersion()).setPromptVersion("relevance-v2").build()));
                }
                candidates.send(new org.apache.kafka.clients.producer.ProducerRecord<>(p.config().topic(
                        Topics.CANDIDATES), l.getContextId(), org.crsaug.schema.Candidates.newBuilder()
                        .setContextId(l.getContextId()).setDialogueId(l.getDialogueId()).setEncoderId("other-encoder")
                        .setContextText("").setItems(items).build()));
            }
        }
        Map<String, byte[]> later = exportAll(p, checkpoint, tmp.resolve("later"));

        // Then the export is byte-identical, every item with the provenance its pinned label recorded
        assertThat(later).containsOnlyKeys(first.keySet());
        first.forEach((name, bytes) -> assertThat(later.get(name)).as(name).isEqualTo(bytes));
        List<JsonNode> records = read(tmp.resolve("later/jsonl/inspired-labels.jsonl"));
        assertThat(records).hasSize(6);
        for (JsonNode r : records) {
            assertThat(r.get("encoder").asText()).isEqualTo(PipelineInputs.ENCODER);
            assertThat(r.get("augmented")).isNotEmpty().allSatisfy(a -> {
                assertThat(a.get("score").floatValue()).isEqualTo(4f);
                assertThat(a.get("judge").asText()).isEqualTo("test");
                assertThat(a.get("promptVersion").asText()).isEqualTo("relevance-v1");
                assertThat(a.get("source").asText()).isEqualTo("fusion");
                assertThat(a.get("encoder").asText()).isEqualTo(PipelineInputs.ENCODER);
            });
        }
    }

    @Test
    void unknownCheckpointsAndCheckpointsOfAnotherDatasetAreRefusedNamingTheFix(@TempDir Path tmp) {
        Platform p = kafka.platform(Map.of("topic.prefix", "export-bad."));
        p.ensureTopics();
        assertThatThrownBy(() -> LabelExport.export(p, DATASET, ExportFormat.jsonl, null, tmp.resolve("a"), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no checkpoint of inspired")
                .hasMessageContaining("train a round first");
        assertThatThrownBy(() -> LabelExport.export(p, DATASET, ExportFormat.jsonl, "inspired-r9-nope",
                tmp.resolve("b"), false)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("no checkpoint 'inspired-r9-nope'");
        assertThatThrownBy(() -> LabelExport.export(p, "redial", ExportFormat.inspired, null, tmp.resolve("c"),
                false)).isInstanceOf(ConfigException.class).hasMessageContaining("use --format redial");
        org.crsaug.schema.Checkpoint redial = org.crsaug.schema.Checkpoint.newBuilder().setCheckpointId("redial-r1")
                .setRound(1).setStage("s").setMode("two-stage").setBackbone("semantic").setDataset("redial")
                .setArtifactUri("none").setSha256("none").setCreatedAtMs(1L).setSeed(1L).build();
        assertThatThrownBy(() -> LabelSnapshot.choose(List.of(redial), DATASET, "redial-r1", "checkpoints"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("checkpoint 'redial-r1' was trained on redial, not inspired; pass --dataset redial");
        assertThat(LabelSnapshot.choose(List.of(redial), "redial", null, "checkpoints")).isSameAs(redial);
    }

    @Test
    void judgementsExportAsCsvAndJsonLinesOrderedByKey(@TempDir Path tmp) throws Exception {
        Platform p = kafka.platform(Map.of("topic.prefix", "export-judgements."));
        p.ensureTopics();
        TestKafka.send(p, Topics.JUDGEMENTS, "k2", judgement("k2", "inspired:train:1#1", "a, \"quoted\" id", 3.5f));
        TestKafka.send(p, Topics.JUDGEMENTS, "k1", judgement("k1", "inspired:train:2#3", "inspired:7", 1f));
        TestKafka.send(p, Topics.JUDGEMENTS, "k1", judgement("k1", "inspired:train:2#3", "inspired:7", 2f));

        assertThat(JudgementExport.export(p, tmp.resolve("j.csv"), false)).isEqualTo(2);
        assertThat(Files.readAllLines(tmp.resolve("j.csv"))).containsExactly(
                "cacheKey,model,promptVersion,contextId,itemId,score,judgedAtMs",
                "k1,gpt-test,relevance-v1,inspired:train:2#3,inspired:7,2.0,1000",
                "k2,gpt-test,relevance-v1,inspired:train:1#1,\"a, \"\"quoted\"\" id\",3.5,1000");
        assertThat(JudgementExport.export(p, tmp.resolve("j.jsonl"), false)).isEqualTo(2);
        List<JsonNode> rows = read(tmp.resolve("j.jsonl"));
        assertThat(rows).extracting(r -> r.get("cacheKey").asText()).containsExactly("k1", "k2");
        assertThat(rows.get(1).get("itemId").asText()).isEqualTo("a, \"quoted\" id");
        assertThat(rows.get(1).get("score").floatValue()).isEqualTo(3.5f);
        assertThatThrownBy(() -> JudgementExport.export(p, tmp.resolve("j.csv"), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pass --force");
    }

    private static Judgement judgement(String key, String context, String item, float score) {
        return Judgement.newBuilder().setCacheKey(key).setModel("gpt-test").setPromptVersion("relevance-v1")
                .setContextId(context).setItemId(item).setScore(score).setJudgedAtMs(1000L).build();
    }

    /**
     * The UniCRS/BARCOR scripts skip empty strings and read even positions as the user's: the non-empty entries
     * are the turns in order, each seeker turn at an even position and each recommender turn at an odd one.
     */
    private static void assertSeekerTurnsEven(JsonNode context, JsonNode turns) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < context.size(); i++) {
            String utterance = context.get(i).asText();
            if (!utterance.isEmpty()) {
                JsonNode turn = turns.get(texts.size());
                assertThat(turn.get("role").asText()).as("position " + i).isEqualTo(i % 2 == 0 ? "SEEKER"
                        : "RECOMMENDER");
                texts.add(utterance);
            }
        }
        List<String> expected = new ArrayList<>();
        turns.forEach(t -> expected.add(t.get("text").asText()));
        assertThat(texts).isEqualTo(expected);
    }

    private static List<org.crsaug.schema.OffsetRange> checkpointRanges(Platform p, String id) {
        return org.crsaug.platform.store.CheckpointDirectory.find(p, id).getInputRanges();
    }

    private static Map<String, AugmentedLabels> labels(Platform p) {
        Map<String, AugmentedLabels> out = new TreeMap<>();
        for (ConsumerRecord<String, AugmentedLabels> r : TestKafka.readAll(p, Topics.AUGMENTED_LABELS, 1,
                Duration.ofSeconds(30))) {
            out.put(r.key(), r.value());
        }
        return out;
    }

    /** Every format into {@code root/<format>}; returns each file's bytes by relative path. */
    private static Map<String, byte[]> exportAll(Platform p, String checkpoint, Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        for (ExportFormat f : FORMATS) {
            LabelExport.Result r = LabelExport.export(p, DATASET, f, checkpoint, root.resolve(f.name()), false);
            assertThat(r.checkpointId()).isEqualTo("inspired-r1-export");
            try (Stream<Path> s = Files.list(root.resolve(f.name()))) {
                for (Path file : s.sorted().toList()) {
                    files.put(f.name() + "/" + file.getFileName(), Files.readAllBytes(file));
                }
            }
        }
        return files;
    }

    private static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    private static List<String> itemIds(JsonNode augmented) {
        List<String> out = new ArrayList<>();
        augmented.forEach(a -> out.add(a.get("itemId").asText()));
        return out;
    }

    private static List<String> itemList(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(a -> out.add(a.asText()));
        return out;
    }
}
