package org.crsaug.launcher.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import org.crsaug.common.artifact.ArtifactStore;
import org.crsaug.common.model.TrainedRecommender;
import org.crsaug.common.training.Catalogue;
import org.crsaug.schema.Checkpoint;

/**
 * One checkpoint's recommender, opened from its verified artifact together with the item order its
 * outputs follow and the encoder its inputs must come from. Scoring is thread-safe; close it only
 * once no request uses it (the {@link RecommendationEngine} guarantees that).
 */
public final class ServedModel implements AutoCloseable {

    /** One recommended item: catalogue id and the model's raw score. */
    public record Scored(String itemId, float score) {
    }

    private final Checkpoint checkpoint;
    private final Catalogue catalogue;
    private final String encoderId;
    private final TrainedRecommender recommender;

    private ServedModel(Checkpoint checkpoint, Catalogue catalogue, String encoderId, TrainedRecommender recommender) {
        this.checkpoint = checkpoint;
        this.catalogue = catalogue;
        this.encoderId = encoderId;
        this.recommender = recommender;
    }

    /** Opens the artifact, verifying its checksum; fails with the reason when it is missing or damaged. */
    public static ServedModel open(Checkpoint checkpoint) throws IOException {
        Path dir = ArtifactStore.open(checkpoint.getArtifactUri(), checkpoint.getSha256());
        Catalogue catalogue = Catalogue.readFrom(dir);
        String encoderId = Files.readString(dir.resolve("encoder.txt")).strip();
        TrainedRecommender recommender = TrainedRecommender.load(dir.resolve("model.bin"));
        if (recommender.numItems() != catalogue.size()) {
            recommender.close();
            throw new IOException("Artifact of " + checkpoint.getCheckpointId() + " scores " + recommender.numItems()
                    + " items but lists " + catalogue.size());
        }
        return new ServedModel(checkpoint, catalogue, encoderId, recommender);
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    public String encoderId() {
        return encoderId;
    }

    public int contextDim() {
        return recommender.contextDim();
    }

    /** The {@code k} best items for an encoded context, never one of {@code exclude}, best first. */
    public List<Scored> topK(float[] context, int k, Set<String> exclude) {
        float[] scores = recommender.score(new float[][] {context})[0];
        Set<Integer> excluded = new HashSet<>();
        for (String id : exclude) {
            catalogue.position(id).ifPresent(excluded::add);
        }
        // a min-heap of size k keeps the best k without sorting the whole catalogue
        PriorityQueue<Integer> heap = new PriorityQueue<>(Comparator.comparingDouble(i -> scores[i]));
        for (int i = 0; i < scores.length; i++) {
            if (excluded.contains(i)) {
                continue;
            }
            if (heap.size() < k) {
                heap.add(i);
            } else if (scores[i] > scores[heap.peek()]) {
                heap.poll();
                heap.add(i);
            }
        }
        List<Scored> out = new ArrayList<>(heap.size());
        while (!heap.isEmpty()) {
            int i = heap.poll();
            out.add(new Scored(catalogue.itemId(i), scores[i]));
        }
        java.util.Collections.reverse(out);
        return out;
    }

    @Override
    public void close() {
        recommender.close();
    }
}
