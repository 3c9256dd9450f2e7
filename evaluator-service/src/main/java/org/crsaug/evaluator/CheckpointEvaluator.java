package org.crsaug.evaluator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.crsaug.common.artifact.ArtifactStore;
import org.crsaug.common.context.DialogueContext;
import org.crsaug.common.eval.RecallMetrics;
import org.crsaug.common.eval.RecallMetrics.Protocol;
import org.crsaug.common.model.EvalContext;
import org.crsaug.common.model.TrainedRecommender;
import org.crsaug.common.store.PipelineState;
import org.crsaug.common.training.Catalogue;
import org.crsaug.common.training.ExampleSets;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Evaluation;

/** Scores a checkpoint's model on the test contexts of its dataset. */
public final class CheckpointEvaluator {

    public static final String TEST_SPLIT = "test";
    static final int[] KS = {1, 10, 50};

    private CheckpointEvaluator() {
    }

    public static Evaluation evaluate(PipelineState state, Checkpoint checkpoint, Protocol protocol) {
        Path dir = ArtifactStore.open(checkpoint.getArtifactUri(), checkpoint.getSha256());
        Catalogue catalogue;
        String encoderId;
        try {
            catalogue = Catalogue.readFrom(dir);
            encoderId = Files.readString(dir.resolve("encoder.txt")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read artifact " + dir, e);
        }
        List<DialogueContext> contexts = state.contexts(checkpoint.getDataset(), TEST_SPLIT);
        ExampleSets.Skipped skipped = new ExampleSets.Skipped();
        List<EvalContext> eval = ExampleSets.evalContexts(contexts, catalogue,
                id -> state.contextVector(encoderId, id), skipped);
        if (eval.isEmpty()) {
            throw new IllegalStateException("No test contexts with embeddings for dataset " + checkpoint.getDataset()
                    + " (encoder " + encoderId + "); has the retriever processed the test dialogues?");
        }
        float[][] inputs = new float[eval.size()][];
        int[][] mentioned = new int[eval.size()][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = eval.get(i).context();
            mentioned[i] = eval.get(i).mentioned();
        }
        float[][] scores;
        try (TrainedRecommender model = TrainedRecommender.load(dir.resolve("model.bin"))) {
            scores = model.score(inputs, mentioned);
            if (!model.backbone().equals(checkpoint.getBackbone())) {
                throw new IllegalStateException("Artifact of " + checkpoint.getCheckpointId() + " holds a "
                        + model.backbone() + " model but the checkpoint says " + checkpoint.getBackbone());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load the model of " + checkpoint.getCheckpointId(), e);
        }
        Map<String, Double> metrics = new TreeMap<>(
                RecallMetrics.compute(scores, eval, protocol, KS));
        metrics.put("test_contexts", (double) eval.size());
        metrics.put("skipped_contexts_without_vector", (double) skipped.contextsWithoutVector);
        metrics.put("skipped_gold_outside_catalogue", (double) skipped.labelsOutsideCatalogue);
        return Evaluation.newBuilder()
                .setCheckpointId(checkpoint.getCheckpointId())
                .setMode(checkpoint.getMode())
                .setBackbone(checkpoint.getBackbone())
                .setDataset(checkpoint.getDataset())
                .setProtocol(protocol.name().toLowerCase(java.util.Locale.ROOT))
                .setSplit(TEST_SPLIT)
                .setPairs(metrics.getOrDefault("pairs", 0d).intValue())
                .setMetrics(metrics)
                .setEvaluatedAtMs(System.currentTimeMillis())
                .build();
    }
}
