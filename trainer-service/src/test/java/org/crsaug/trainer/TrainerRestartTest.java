package org.crsaug.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.data.state.PipelineState;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.DataSet;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.PipelineInputs;
import org.crsaug.testkit.TestKafka;
import org.crsaug.model.recommender.TrainedRecommender;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer service stopped at its worst moments on a real embedded broker: killed between writing an
 * artifact and publishing it, and restarted after a finished round. Each test counts checkpoint records
 * and artifact directories exactly.
 */
class TrainerRestartTest {

    private static final Duration WAIT = Duration.ofMinutes(3);
    /** Started once for the class, closed after its last test. */
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    /** Stands for the process dying: an Error no service code catches, thrown where a crash hurts most. */
    static final class SimulatedCrash extends Error {
        SimulatedCrash(String where) {
            super("simulated crash " + where);
        }
    }

    /** Automatic rounds (no request needed), small and fast models. */
    private static Map<String, String> settings(String prefix, Path artifacts, String modes, int minNewLabels) {
        Map<String, String> s = new HashMap<>();
        s.put("topic.prefix", prefix);
        s.put("artifact.dir", artifacts.toString());
        s.put("trainer.modes", modes);
        s.put("trainer.round.min.new.labels", Integer.toString(minNewLabels));
        s.put("trainer.round.quiet.ms", "300");
        s.put("trainer.hidden", "16");
        s.put("trainer.pretrain.epochs", "2");
        s.put("trainer.finetune.epochs", "2");
        s.put("trainer.batch.size", "32");
        return s;
    }

    private static TrainerService start(TrainerService trainer) throws InterruptedException {
        trainer.start();
        return PipelineInputs.awaitReady(trainer, Duration.ofSeconds(60));
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * A label the trainer already has, sent again unchanged: one more labels record, fewer than a round needs, and
     * once the trainer's counting labels reader (which reads from the beginning) has read as many records as the
     * topic holds, the trainer has finished one more look at its inputs.
     */
    private static void resendOneLabelAndAwaitTheTrainerReadingIt(Platform p) throws InterruptedException {
        try (PipelineState state = new PipelineState(p, "test-resend")) {
            state.catchUp(Duration.ofMinutes(1));
            Map.Entry<String, AugmentedLabels> first = state.allLabels().entrySet().iterator().next();
            TestKafka.send(p, Topics.AUGMENTED_LABELS, first.getKey(), first.getValue());
        }
        int records = TestKafka.readAll(p, Topics.AUGMENTED_LABELS, 0, WAIT).size();
        Await.until("the trainer reads all " + records + " label records", WAIT,
                () -> TestKafka.recordsConsumed(TrainerService.PROGRESS_CLIENT_ID + "-labels") >= records);
    }

    private static List<Checkpoint> checkpoints(Platform p, int atLeast) {
        // three partitions: order by round for the assertions
        return TestKafka.readAll(p, Topics.CHECKPOINTS, atLeast, WAIT).stream().map(ConsumerRecord::value)
                .sorted(java.util.Comparator.comparingInt(Checkpoint::getRound)).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.crsaug.testkit.DataSlices#dataSets")
    void aTrainerKilledBetweenStagingAndPublishingPublishesNothingAndTheNextStartCompletesTheRound(DataSet data,
            @TempDir Path tmp) throws Exception {
        // Given dialogues, embeddings and labels for every training context, and a trainer on automatic rounds
        Path slice = DataSlices.inspiredSlice(data, tmp.resolve("data"), Map.of("train", 30, "valid", 6, "test", 2));
        Path artifacts = tmp.resolve("artifacts");
        Platform p = kafka.platform(settings("crash-" + data + ".", artifacts, "baseline,two-stage", 1));
        PipelineInputs.publish(p, slice);

        // When the trainer dies right after the first model of round 1 is completely staged, before its rename
        AtomicReference<String> stagedId = new AtomicReference<>();
        AtomicReference<Path> stagedDir = new AtomicReference<>();
        TrainerService doomed = start(new TrainerService(p, (id, staging) -> {
            stagedId.set(id);
            stagedDir.set(staging);
            throw new SimulatedCrash("before renaming " + id);
        }));
        Await.until("the trainer reaches the staging hook", WAIT, () -> doomed.failure() != null);
        doomed.stop();
        assertThat(doomed.failure()).isInstanceOf(SimulatedCrash.class);

        // Then the half-done round left a complete staging directory and nothing else: no artifact, no record
        assertThat(stagedId.get()).startsWith("inspired-r1-baseline-");
        assertThat(stagedDir.get().resolve(TrainedRecommender.ARTIFACT_ENTRY)).isDirectory();
        assertThat(listing(artifacts)).containsExactly(stagedDir.get().getFileName().toString());
        assertThat(checkpoints(p, 0)).as("checkpoint records after the crash").isEmpty();

        // When the trainer starts again
        TrainerService restarted = start(new TrainerService(p));
        List<Checkpoint> published;
        try {
            // Then the staging directory is gone before it serves
            assertThat(stagedDir.get()).doesNotExist();
            // ... and it trains round 1 by itself, once per mode, the baseline under the id the crash lost
            published = checkpoints(p, 2);
        } finally {
            restarted.stop();
        }
        assertThat(restarted.failure()).isNull();
        published = checkpoints(p, 2);
        assertThat(published).hasSize(2);
        assertThat(published).extracting(Checkpoint::getRound).containsExactly(1, 1);
        assertThat(published).extracting(Checkpoint::getMode).containsExactlyInAnyOrder("baseline", "two-stage");
        assertThat(published).extracting(Checkpoint::getCheckpointId).contains(stagedId.get());
        // exactly the published artifacts exist, each intact
        assertThat(listing(artifacts)).containsExactlyInAnyOrderElementsOf(
                published.stream().map(Checkpoint::getCheckpointId).toList());
        published.forEach(cp -> assertThat(ArtifactStore.open(cp.getArtifactUri(), cp.getSha256())).isDirectory());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.crsaug.testkit.DataSlices#dataSets")
    void aRestartedTrainerDoesNotRetrainAFinishedRoundAndTrainsTheNextOneOnNewLabels(DataSet data, @TempDir Path tmp)
            throws Exception {
        // Given labels for 20 of the training contexts and a trainer that starts a round per 5 new labelled contexts
        Path slice = DataSlices.inspiredSlice(data, tmp.resolve("data"), Map.of("train", 40, "valid", 6, "test", 2));
        Path artifacts = tmp.resolve("artifacts");
        Platform p = kafka.platform(settings("restart-" + data + ".", artifacts, "baseline", 5));
        assertThat(PipelineInputs.publish(p, slice, 20)).isEqualTo(20);
        TrainerService first = start(new TrainerService(p));
        Checkpoint round1;
        try {
            round1 = checkpoints(p, 1).get(0);
        } finally {
            first.stop();
        }
        assertThat(round1.getRound()).isEqualTo(1);

        // When it restarts and has looked at the unchanged labels twice, the quiet period between (where a
        // trainer counting labels from zero would retrain the same data, before reading anything newer) ...
        TrainerService second = start(new TrainerService(p));
        List<Checkpoint> all;
        try {
            resendOneLabelAndAwaitTheTrainerReadingIt(p);
            resendOneLabelAndAwaitTheTrainerReadingIt(p);
            // ... and then 10 more training contexts get labels
            assertThat(PipelineInputs.labelMore(p, 10)).isEqualTo(10);
            Await.until("a round on the new labels", WAIT, () -> checkpoints(p, 1).stream().anyMatch(cp ->
                    cp.getMetrics().get("augmented_pairs") > round1.getMetrics().get("augmented_pairs")));
        } finally {
            second.stop();
        }
        all = checkpoints(p, 2);

        // Then there are exactly two rounds (a retrained first round would have been published before the new
        // labels were read, and so be among them): the first was not trained again, the second saw the new labels
        // and warm-started from the first, which the restarted trainer read back from the checkpoints topic
        assertThat(second.failure()).isNull();
        assertThat(all).extracting(Checkpoint::getRound).containsExactly(1, 2);
        Checkpoint round2 = all.get(1);
        assertThat(round2.getParentCheckpointId()).isEqualTo(round1.getCheckpointId());
        assertThat(round2.getMetrics().get("augmented_pairs")).isGreaterThan(round1.getMetrics().get("augmented_pairs"));
        assertThat(listing(artifacts)).containsExactlyInAnyOrder(round1.getCheckpointId(), round2.getCheckpointId());
        assertThat(all.stream().map(Checkpoint::getCheckpointId).collect(Collectors.toSet())).hasSize(2);
    }

    @Test
    void aSecondTrainerOnTheStateDirectoryOfARunningOneIsRefusedNamingItAndTheFirstGoesOn(@TempDir Path tmp)
            throws Exception {
        // Given a trainer running on a state directory
        Map<String, String> settings = settings("second-trainer.", tmp.resolve("artifacts"), "baseline", 1);
        Platform p = kafka.platform(settings);
        settings.put("state.dir", p.config().get("state.dir"));
        Platform sameStateDir = kafka.platform(settings);
        TrainerService first = start(new TrainerService(p));
        try {
            // When a second one starts there (as crs service trainer would beside it)
            TrainerService second = new TrainerService(sameStateDir);
            second.start();
            Await.until("the second trainer stops", WAIT, () -> second.failure() != null);
            second.stop();

            // Then it says which trainer runs and why one is all there may be, and the first one goes on
            assertThat(second.failure()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("A trainer already runs on the state directory")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("Only one trainer per state directory")
                    .hasMessageContaining("Stop that trainer first");
            assertThat(first.failure()).isNull();
            assertThat(first.isReady()).isTrue();
        } finally {
            first.stop();
        }
        // ... and once the first has stopped, a trainer starts there again
        TrainerService next = start(new TrainerService(sameStateDir));
        next.stop();
        assertThat(next.failure()).isNull();
    }
}
