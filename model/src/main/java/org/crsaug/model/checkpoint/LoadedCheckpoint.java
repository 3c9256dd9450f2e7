package org.crsaug.model.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.model.encoder.TextEncoder;
import org.crsaug.model.recommender.TrainedRecommender;
import org.crsaug.model.training.Catalogue;
import org.crsaug.schema.Checkpoint;

/**
 * A checkpoint's model ready to score new contexts: the artifact (checksum verified), its catalogue
 * and the id of the encoder its inputs must come from.
 */
public final class LoadedCheckpoint implements AutoCloseable {

    /** One recommended item. */
    public record Recommendation(String itemId, float score) {
    }

    private final Checkpoint checkpoint;
    private final Catalogue catalogue;
    private final String encoderId;
    private final TrainedRecommender model;

    private LoadedCheckpoint(Checkpoint checkpoint, Catalogue catalogue, String encoderId, TrainedRecommender model) {
        this.checkpoint = checkpoint;
        this.catalogue = catalogue;
        this.encoderId = encoderId;
        this.model = model;
    }

    public static LoadedCheckpoint open(Checkpoint checkpoint) {
        Path dir = ArtifactStore.open(checkpoint.getArtifactUri(), checkpoint.getSha256());
        try {
            Catalogue catalogue = Catalogue.readFrom(dir);
            TrainedRecommender model = TrainedRecommender.load(dir.resolve(TrainedRecommender.ARTIFACT_ENTRY));
            if (model.numItems() != catalogue.size()) {
                model.close();
                throw new IOException("Artifact of " + checkpoint.getCheckpointId() + " scores " + model.numItems()
                        + " items but lists " + catalogue.size());
            }
            return new LoadedCheckpoint(checkpoint, catalogue, Files.readString(dir.resolve("encoder.txt")).strip(),
                    model);
        } catch (IOException e) {
            // the cause's message says what to do (e.g. retrain a model saved in an older format), so keep it visible
            throw new UncheckedIOException("Cannot load checkpoint " + checkpoint.getCheckpointId() + " from " + dir
                    + ": " + e.getMessage(), e);
        }
    }

    /** Fails unless the encoder produces the vectors this model was trained on. */
    public void requireEncoder(TextEncoder encoder) {
        if (!encoder.id().equals(encoderId)) {
            throw new ConfigException("Checkpoint " + checkpoint.getCheckpointId() + " was trained on vectors of encoder "
                    + encoderId + " but the configured encoder is " + encoder.id() + "; set retriever.encoder to match");
        }
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /** Length of the context vectors the model takes. */
    public int contextDim() {
        return model.contextDim();
    }

    public Catalogue catalogue() {
        return catalogue;
    }

    public String encoderId() {
        return encoderId;
    }

    /** Scores contexts; {@code mentioned} holds each context's mentioned catalogue positions (hybrid models use them). */
    public float[][] score(float[][] contexts, int[][] mentioned) {
        return model.score(contexts, mentioned);
    }

    /**
     * The k best items for one context vector, never one already mentioned; {@code mentioned} is in
     * the order the dialogue named them.
     */
    public List<Recommendation> recommend(float[] context, List<String> mentioned, int k) {
        int[] positions = mentioned.stream().map(catalogue::position).filter(java.util.OptionalInt::isPresent)
                .mapToInt(java.util.OptionalInt::getAsInt).toArray();
        java.util.Set<String> excluded = new java.util.HashSet<>(mentioned);
        float[] scores = model.score(new float[][] {context}, new int[][] {positions})[0];
        PriorityQueue<Integer> best = new PriorityQueue<>(
                (a, b) -> scores[a] != scores[b] ? Float.compare(scores[a], scores[b]) : Integer.compare(b, a));
        for (int i = 0; i < scores.length; i++) {
            if (excluded.contains(catalogue.itemId(i))) {
                continue;
            }
            best.add(i);
            if (best.size() > k) {
                best.poll();
            }
        }
        List<Recommendation> out = new ArrayList<>();
        while (!best.isEmpty()) {
            int i = best.poll();
            out.add(new Recommendation(catalogue.itemId(i), scores[i]));
        }
        java.util.Collections.reverse(out);
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
