package org.crsaug.model.simulate;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crsaug.data.context.EncoderText;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.state.PipelineState;
import org.crsaug.model.checkpoint.CheckpointEvaluator;
import org.crsaug.model.checkpoint.LoadedCheckpoint;
import org.crsaug.model.encoder.TextEncoder;
import org.crsaug.model.encoder.TextEncoders;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.SimulationEpisode;

/**
 * {@code crs simulate}'s work: one checkpoint, its dataset's test contexts, a seeker, and the episodes
 * published. The test dialogues are read up to the offsets the checkpoint recorded, so simulating the
 * same checkpoint again sees the same contexts even after new dialogues arrived.
 */
public final class SimulationJob {

    /**
     * A finished simulation and how long it took (reading, encoding, scoring and publishing).
     *
     * @param reused whether the episodes were those of an earlier run of the same simulation, read back from the
     *               topic instead of simulated again
     */
    public record Outcome(Checkpoint checkpoint, String simulator, String simulatorVersion, Simulation.Result result,
            SimulationSummary summary, double seconds, boolean reused) {
    }

    /**
     * Where earlier runs' episodes are looked up: by simulation id, the published episodes by key (empty when
     * there are none).
     */
    @FunctionalInterface
    public interface Earlier {
        Map<String, SimulationEpisode> episodes(String simulationId);

        /** Every simulation is run again. */
        Earlier NONE = id -> Map.of();

        /** Reads the topic for each simulation asked about. */
        static Earlier fromTopic(Platform platform) {
            return id -> SimulationEpisodes.read(platform, id);
        }
    }

    private SimulationJob() {
    }

    /**
     * Simulates the checkpoint, unless {@code earlier} holds every episode of the same simulation (same
     * checkpoint, seeker version and turns, which decide every word and rank): then those are the result, and
     * nothing is encoded, asked or published.
     */
    public static Outcome run(Platform platform, Checkpoint checkpoint, SeekerSimulator seeker, int turns,
            Earlier earlier) {
        try (TextEncoder encoder = TextEncoders.create(platform.config(), platform.config().modelCache())) {
            return run(platform, checkpoint, seeker, turns, encoder, earlier);
        }
    }

    /**
     * The same with an encoder the caller owns and may share between checkpoints (an experiment passes one that
     * remembers the texts it encoded); it must be the encoder {@code platform}'s configuration names.
     */
    public static Outcome run(Platform platform, Checkpoint checkpoint, SeekerSimulator seeker, int turns,
            TextEncoder encoder, Earlier earlier) {
        long start = System.nanoTime();
        CrsConfig config = platform.config();
        try (PipelineState state = new PipelineState(platform, "crs-simulate");
                LoadedCheckpoint model = LoadedCheckpoint.open(checkpoint)) {
            state.catchUpTo(checkpoint.getInputRanges(), Duration.ofMinutes(2));
            List<DialogueContext> contexts = state.contexts(checkpoint.getDataset(), CheckpointEvaluator.TEST_SPLIT);
            if (contexts.isEmpty()) {
                throw new IllegalStateException("Checkpoint " + checkpoint.getCheckpointId() + " saw no "
                        + checkpoint.getDataset() + " test dialogues; ingest the dataset and train again (crs run)");
            }
            TurnRanker ranker = new CheckpointRanker(model, encoder, state.itemsById(), EncoderText.fromConfig(config));
            Simulation.Settings settings = new Simulation.Settings(checkpoint.getCheckpointId(),
                    checkpoint.getDataset(), turns);
            String simulationId = Simulation.simulationId(settings, seeker);
            Optional<Simulation.Result> stored = Simulation.stored(Simulation.plan(contexts, state.itemsById(),
                    ranker.itemIds()), simulationId, earlier.episodes(simulationId));
            Simulation.Result result = stored.orElseGet(() -> Simulation.run(contexts, state.itemsById(), ranker,
                    seeker, settings, System.currentTimeMillis()));
            if (stored.isEmpty()) {
                SimulationEpisodes.publish(platform, result.episodes());
            }
            SimulationSummary summary = SimulationSummary.of(result.episodes(), turns, Simulation.KS);
            return new Outcome(checkpoint, seeker.name(), seeker.version(), result, summary,
                    (System.nanoTime() - start) / 1e9, stored.isPresent());
        }
    }
}
