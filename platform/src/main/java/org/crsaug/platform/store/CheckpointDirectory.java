package org.crsaug.platform.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Checkpoint;

/** Looks checkpoints up in the checkpoints topic. */
public final class CheckpointDirectory {

    /** The validation metric that decides which checkpoint is best. */
    public static final String SELECTION_METRIC = "validation_recall@50";

    private CheckpointDirectory() {
    }

    /** Every published checkpoint in publication order (per partition). */
    public static List<Checkpoint> all(Platform platform) {
        Map<String, Checkpoint> byId = new LinkedHashMap<>();
        try (TopicFollower<Checkpoint> f = new TopicFollower<>(platform, Topics.CHECKPOINTS, "crs-checkpoints")) {
            f.catchUp(r -> {
                if (r.value() != null) {
                    byId.put(r.key(), r.value());
                }
            }, Duration.ofMinutes(2));
        }
        return new ArrayList<>(byId.values());
    }

    public static Checkpoint find(Platform platform, String checkpointId) {
        for (Checkpoint c : all(platform)) {
            if (c.getCheckpointId().equals(checkpointId)) {
                return c;
            }
        }
        throw new IllegalArgumentException("No checkpoint '" + checkpointId + "' in topic "
                + platform.config().topic(Topics.CHECKPOINTS) + " (is --state-dir or topic.prefix the one it was"
                + " trained with?)");
    }

    /**
     * The id given, or for "best" the checkpoint of the dataset with the highest validation metric
     * (never a test metric), the newest winning ties.
     */
    public static Checkpoint resolve(Platform platform, String idOrBest, String dataset) {
        if (!"best".equals(idOrBest)) {
            return find(platform, idOrBest);
        }
        return all(platform).stream()
                .filter(c -> dataset == null || c.getDataset().equals(dataset))
                .min(bestFirst(SELECTION_METRIC))
                .orElseThrow(() -> new IllegalArgumentException("No checkpoints" + (dataset == null ? "" : " for "
                        + dataset) + " yet; train one with crs run"));
    }

    /**
     * Orders checkpoints best first by {@code metric} (one without it last), the newest first among equals:
     * {@code crs recommend --checkpoint best} and a starting {@code crs serve} pick the same one.
     */
    public static Comparator<Checkpoint> bestFirst(String metric) {
        return Comparator.comparingDouble((Checkpoint c) -> c.getMetrics().getOrDefault(metric, -1.0))
                .thenComparingLong(Checkpoint::getCreatedAtMs).reversed();
    }
}
