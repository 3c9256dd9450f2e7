package org.crsaug.model.training;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.model.recommender.TrainerSettings;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.data.state.PipelineState;
import org.crsaug.platform.store.CheckpointDirectory;
import org.crsaug.schema.Checkpoint;

/**
 * Re-trains a checkpoint from its lineage alone: the recorded offset ranges rebuild the training
 * set, the recorded configuration and seed drive training, and the result is compared with what was
 * recorded. On the same machine kind every metric must match exactly.
 */
public final class Replay {

    /** Metrics that measure the machine rather than the model. */
    private static final Set<String> TIMINGS = Set.of("train_seconds");

    /** A recorded and a replayed value per metric. */
    public record Outcome(Checkpoint recorded, Checkpoint replayed, Map<String, double[]> metrics,
            boolean metricsMatch, boolean artifactMatches) {
    }

    private Replay() {
    }

    /** Replays into {@code artifactRoot}, which must not be the root the original was published to. */
    public static Outcome replay(Platform platform, String checkpointId, Path artifactRoot) {
        Checkpoint recorded = CheckpointDirectory.find(platform, checkpointId);
        CrsConfig config = platform.config().withAll(recorded.getConfig());
        TrainerSettings settings = TrainerSettings.fromConfig(config, TrainingMode.parse(recorded.getMode()));
        Checkpoint replayed;
        try (PipelineState state = new PipelineState(platform, "crs-replay")) {
            state.catchUpTo(recorded.getInputRanges(), Duration.ofMinutes(10));
            TrainingRound round = new TrainingRound(config, new ArtifactStore(artifactRoot));
            TrainingRound.Snapshot snapshot = round.snapshot(state, recorded.getDataset(), settings.seed());
            // a warm-started checkpoint is replayed from the same parent
            Checkpoint parent = recorded.getParentCheckpointId() == null ? null
                    : CheckpointDirectory.find(platform, recorded.getParentCheckpointId());
            replayed = round.train(snapshot, settings, recorded.getRound(), parent);
        }
        Map<String, double[]> compared = new TreeMap<>();
        boolean match = true;
        for (Map.Entry<String, Double> e : recorded.getMetrics().entrySet()) {
            if (TIMINGS.contains(e.getKey())) {
                continue;
            }
            Double again = replayed.getMetrics().get(e.getKey());
            compared.put(e.getKey(), new double[] {e.getValue(), again == null ? Double.NaN : again});
            match &= Objects.equals(e.getValue(), again);
        }
        return new Outcome(recorded, replayed, compared, match,
                recorded.getSha256().equals(replayed.getSha256()));
    }
}
