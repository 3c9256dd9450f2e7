package org.crsaug.data.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.dataset.DatasetSink;
import org.crsaug.data.dataset.Datasets;
import org.crsaug.data.dataset.ParseFailure;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.schema.Label;
import org.crsaug.testkit.DataSlices;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataset line formats read back through the dataset's own reader (the one {@code crs ingest} uses) into
 * the same dialogues: every turn's role, text and items, ids, splits and ReDial's questionnaires, with the
 * augmented items on exactly the labelled recommender turns. No broker: the snapshot is built in memory from
 * the synthetic data set.
 */
class DatasetLinesRoundTripTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"redial", "inspired"})
    void theDatasetsOwnReaderReadsTheExportBackIntoTheSameDialogues(String dataset, @TempDir Path tmp)
            throws IOException {
        Path original = DataSlices.synthetic().dir(dataset);
        Read before = read(dataset, original);
        LabelSnapshot snapshot = snapshot(dataset, before);
        assertThat(snapshot.contexts()).hasSizeGreaterThan(20);

        LabelExport.Result r = LabelExport.render(snapshot, ExportFormat.valueOf(dataset));
        Path out = tmp.resolve(dataset);
        Files.createDirectories(out);
        ExportDirectory.write(out, r.files());
        // the reader needs the catalogue beside the lines, as in the dataset's own directory
        for (String f : List.of("id2info.json", "entity2id.json", "movies_with_mentions.csv")) {
            if (Files.exists(original.resolve(f))) {
                Files.copy(original.resolve(f), out.resolve(f));
            }
        }
        Read after = read(dataset, out);

        assertThat(after.failures).isEmpty();
        assertThat(after.items.keySet()).isEqualTo(before.items.keySet());
        assertThat(after.dialogues.keySet()).isEqualTo(before.dialogues.keySet());
        before.dialogues.forEach((id, d) -> {
            Dialogue again = after.dialogues.get(id);
            assertThat(again.getSplit()).as(id).isEqualTo(d.getSplit());
            assertThat(again.getTurns()).as(id).isEqualTo(d.getTurns());
            assertThat(again.getFeedback()).as(id).isEqualTo(d.getFeedback());
        });

        // the added field: on the labelled recommender turns only, with the labels in order
        Map<String, List<String>> attached = new HashMap<>();
        for (ExportFile f : r.files()) {
            if (!f.name().equals(LabelExport.MANIFEST)) {
                f.lines().forEach(line -> collectAugmented(line, attached));
            }
        }
        Map<String, List<String>> expected = new HashMap<>();
        snapshot.contexts().forEach(c -> expected.put(c.context().dialogueId() + "#" + c.context().turnIndex(),
                c.labels().getLabels().stream().map(Label::getItemId).toList()));
        assertThat(new ArrayList<>(attached.values())).containsExactlyInAnyOrderElementsOf(expected.values());
        assertThat(attached).hasSameSizeAs(expected);
    }

    /** Item ids of every "augmented" field in one line, keyed by a running number (lines carry no context id). */
    private static void collectAugmented(String line, Map<String, List<String>> out) {
        try {
            com.fasterxml.jackson.databind.JsonNode node = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(line);
            for (com.fasterxml.jackson.databind.JsonNode turn : node.has("messages") ? node.get("messages") : node) {
                if (turn.has("augmented")) {
                    List<String> ids = new ArrayList<>();
                    turn.get("augmented").forEach(a -> ids.add(a.get("itemId").asText()));
                    out.put(out.size() + "", ids);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    /** Every other context labelled with two catalogue items, as a scorer would have published it. */
    private static LabelSnapshot snapshot(String dataset, Read data) {
        List<Dialogue> dialogues = new ArrayList<>(data.dialogues.values());
        dialogues.sort(LabelSnapshot.fileOrder());
        List<String> itemIds = new ArrayList<>(data.items.keySet());
        List<LabelSnapshot.LabelledContext> contexts = new ArrayList<>();
        int n = 0;
        for (Dialogue d : dialogues) {
            for (DialogueContext c : DialogueContexts.derive(d)) {
                if (n++ % 2 == 0) {
                    List<Label> labels = List.of(
                            Label.newBuilder().setItemId(itemIds.get(n % itemIds.size())).setScore(4f).build(),
                            Label.newBuilder().setItemId(itemIds.get((n * 7) % itemIds.size())).setScore(3.75f).build());
                    AugmentedLabels l = AugmentedLabels.newBuilder().setContextId(c.contextId())
                            .setDialogueId(c.dialogueId()).setLabels(labels).setThreshold(3.5f).setJudgeId("llm")
                            .setJudgeVersion("m").setCandidateCount(10).build();
                    contexts.add(new LabelSnapshot.LabelledContext(c, l, "enc", Map.of(), Map.of()));
                }
            }
        }
        Checkpoint checkpoint = Checkpoint.newBuilder().setCheckpointId(dataset + "-r1").setRound(1).setStage("s")
                .setMode("two-stage").setBackbone("semantic").setDataset(dataset).setArtifactUri("none")
                .setSha256("none").setCreatedAtMs(1L).setSeed(1L).build();
        return new LabelSnapshot(checkpoint, dataset, data.items, dialogues, contexts);
    }

    private static final class Read implements DatasetSink {
        final Map<String, Item> items = new LinkedHashMap<>();
        final Map<String, Dialogue> dialogues = new LinkedHashMap<>();
        final List<ParseFailure> failures = new ArrayList<>();

        @Override
        public void item(Item item) {
            items.put(item.getItemId(), item);
        }

        @Override
        public void dialogue(Dialogue dialogue) {
            dialogues.put(dialogue.getDialogueId(), dialogue);
        }

        @Override
        public void failure(ParseFailure failure) {
            failures.add(failure);
        }
    }

    private static Read read(String dataset, Path dir) {
        Read r = new Read();
        Datasets.read(dataset, dir, r);
        return r;
    }
}
