package org.crsaug.model.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.Map;
import java.util.TreeMap;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.model.eval.CollaborativeScore;
import org.crsaug.model.eval.RecallMetrics;
import org.crsaug.model.eval.RecallMetrics.Protocol;
import org.crsaug.model.recommender.EvalContext;
import org.crsaug.model.recommender.TrainedRecommender;
import org.crsaug.data.state.PipelineState;
import org.crsaug.model.training.Catalogue;
import org.crsaug.model.training.ExampleSets;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Label;
import org.crsaug.schema.Evaluation;

/** Scores a checkpoint's model on the test contexts of its dataset. */
public final class CheckpointEvaluator {

    public static final String TEST_SPLIT = "test";
    static final int[] KS = {1, 10, 50};

    private CheckpointEvaluator() {
    }

    /**
     * Scores the test contexts once and reports every requested protocol. Tail items are those
     * mentioned at most {@code tailMaxMentions} times in the training dialogues.
     */
    /**
     * A checkpoint's scores on the test contexts, with what could not be used; {@code sources} holds the
     * dialogue context of each evaluated context, in the same order, and {@code encoderId} the encoder of
     * their vectors.
     */
    public record Scored(Catalogue catalogue, List<EvalContext> contexts, float[][] scores,
            ExampleSets.Skipped skipped, List<DialogueContext> sources, String encoderId) {
    }

    /** Loads the checkpoint's model (checksum verified) and scores every usable test context. */
    public static Scored score(PipelineState state, Checkpoint checkpoint) {
        Path dir = ArtifactStore.open(checkpoint.getArtifactUri(), checkpoint.getSha256());
        Catalogue catalogue;
        String encoderId;
        try {
            catalogue = Catalogue.readFrom(dir);
            encoderId = Files.readString(dir.resolve("encoder.txt")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read artifact " + dir, e);
        }
        String dataset = checkpoint.getDataset();
        List<DialogueContext> contexts = state.contexts(dataset, TEST_SPLIT);
        ExampleSets.Skipped skipped = new ExampleSets.Skipped();
        List<DialogueContext> sources = new ArrayList<>();
        List<EvalContext> eval = ExampleSets.evalContexts(contexts, catalogue,
                id -> state.contextVector(encoderId, id), skipped, sources);
        if (eval.isEmpty()) {
            throw new IllegalStateException("No test contexts with embeddings for dataset " + dataset
                    + " (encoder " + encoderId + "); has the retriever processed the test dialogues?");
        }
        float[][] inputs = new float[eval.size()][];
        int[][] mentioned = new int[eval.size()][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = eval.get(i).context();
            mentioned[i] = eval.get(i).mentioned();
        }
        try (TrainedRecommender model = TrainedRecommender.load(dir.resolve(TrainedRecommender.ARTIFACT_ENTRY))) {
            if (!model.backbone().equals(checkpoint.getBackbone())) {
                throw new IllegalStateException("Artifact of " + checkpoint.getCheckpointId() + " holds a "
                        + model.backbone() + " model but the checkpoint says " + checkpoint.getBackbone());
            }
            return new Scored(catalogue, eval, model.score(inputs, mentioned), skipped, sources, encoderId);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load the model of " + checkpoint.getCheckpointId(), e);
        }
    }

    /**
     * Scores the test contexts once and reports every requested protocol. Tail items are those
     * mentioned at most {@code tailMaxMentions} times in the training dialogues.
     */
    public static List<Evaluation> evaluate(PipelineState state, Checkpoint checkpoint, List<Protocol> protocols,
            int tailMaxMentions) {
        return evaluate(state, checkpoint, protocols, tailMaxMentions, null);
    }

    /**
     * As above, and with {@code collaborative} (null for none) also CS@10 and CS@50 under each protocol
     * ({@link CollaborativeScore}).
     */
    public static List<Evaluation> evaluate(PipelineState state, Checkpoint checkpoint, List<Protocol> protocols,
            int tailMaxMentions, CollaborativeModel collaborative) {
        Scored scored = score(state, checkpoint);
        Catalogue catalogue = scored.catalogue();
        List<EvalContext> eval = scored.contexts();
        float[][] scores = scored.scores();
        ExampleSets.Skipped skipped = scored.skipped();
        String dataset = checkpoint.getDataset();
        Set<String> tail = tailItems(state, dataset, catalogue, tailMaxMentions);
        int[] tailPositions = tail.stream().mapToInt(id -> catalogue.position(id).getAsInt()).sorted().toArray();
        double labelTailShare = augmentedLabelTailShare(state, dataset, tail);
        // what this evaluation read: test dialogues that arrive later count from the next evaluation on, and a
        // number stays reproducible by reading these offsets again
        List<org.crsaug.schema.OffsetRange> read = state.offsetRanges();
        float[][] collaborativeLogits = collaborative == null ? null : collaborative.logits(catalogue, eval);
        List<Evaluation> out = new ArrayList<>();
        for (Protocol protocol : protocols) {
            Map<String, Double> metrics = new TreeMap<>(RecallMetrics.compute(scores, eval, protocol, tailPositions, KS));
            if (collaborativeLogits != null) {
                metrics.putAll(CollaborativeScore.compute(scores, eval, collaborativeLogits, protocol,
                        CollaborativeScore.KS));
            }
            metrics.put("test_contexts", (double) eval.size());
            metrics.put("tail_items", (double) tail.size());
            metrics.put("augmented_label_tail_share", labelTailShare);
            metrics.put("skipped_contexts_without_vector", (double) skipped.contextsWithoutVector);
            metrics.put("skipped_gold_outside_catalogue", (double) skipped.labelsOutsideCatalogue);
            out.add(Evaluation.newBuilder()
                    .setCheckpointId(checkpoint.getCheckpointId())
                    .setMode(checkpoint.getMode())
                    .setBackbone(checkpoint.getBackbone())
                    .setDataset(dataset)
                    .setProtocol(protocol.name().toLowerCase(Locale.ROOT))
                    .setSplit(TEST_SPLIT)
                    .setPairs(metrics.getOrDefault("pairs", 0d).intValue())
                    .setMetrics(metrics)
                    .setEvaluatedAtMs(System.currentTimeMillis())
                    .setInputRanges(read)
                    .build());
        }
        return out;
    }

    /** Catalogue items mentioned at most {@code maxMentions} times in the training dialogues. */
    public static Set<String> tailItems(PipelineState state, String dataset, Catalogue catalogue, int maxMentions) {
        Map<String, Integer> counts = state.mentionCounts(dataset, "train");
        Set<String> tail = new TreeSet<>();
        for (String id : catalogue.itemIds()) {
            if (counts.getOrDefault(id, 0) <= maxMentions) {
                tail.add(id);
            }
        }
        return tail;
    }

    /** Share of the dataset's augmented labels that point at tail items: how far augmentation reaches the tail. */
    static double augmentedLabelTailShare(PipelineState state, String dataset, Set<String> tail) {
        long all = 0;
        long inTail = 0;
        for (AugmentedLabels labels : state.allLabels().values()) {
            if (!labels.getDialogueId().startsWith(dataset + ":")) {
                continue;
            }
            for (Label l : labels.getLabels()) {
                all++;
                if (tail.contains(l.getItemId())) {
                    inTail++;
                }
            }
        }
        return all == 0 ? 0.0 : (double) inTail / all;
    }
}
