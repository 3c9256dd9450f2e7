package org.crsaug.trainer;

import org.crsaug.model.training.TrainingRound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.model.recommender.TrainedRecommender;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.data.state.PipelineState;
import org.crsaug.testkit.DataSet;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.PipelineInputs;
import org.crsaug.testkit.Scrape;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Item;
import org.crsaug.schema.OffsetRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rounds on a real embedded broker: a slice of INSPIRED is ingested, and the retriever's and scorer's
 * outputs (embeddings, augmented labels) are produced directly as records, so the trainer sees exactly what
 * it would see in the pipeline without the cost of running the encoder here.
 */
class TrainingRoundTest {

    private static final String ENCODER = PipelineInputs.ENCODER;

    /** Started once for the class, closed after its last test. */
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    private static Map<String, String> trainerSettings(Path artifacts) {
        return Map.of("artifact.dir", artifacts.toString(), "trainer.hidden", "16", "trainer.pretrain.epochs", "2",
                "trainer.finetune.epochs", "3", "trainer.round.min.new.labels", "0", "trainer.batch.size", "32",
                "trainer.learning.rate", "0.01");
    }

    private static void publishInputs(Platform p, Path slice) {
        PipelineInputs.publish(p, slice);
    }

    private static AugmentedLabels labels(DialogueContext c, List<String> itemIds) {
        return PipelineInputs.labels(c, itemIds);
    }

    private static TrainerService startTrainer(Platform p) throws InterruptedException {
        TrainerService trainer = new TrainerService(p);
        trainer.start();
        return PipelineInputs.awaitReady(trainer, Duration.ofSeconds(60));
    }

    private static Set<String> published(Path artifacts) throws Exception {
        try (Stream<Path> s = Files.list(artifacts)) {
            return s.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.crsaug.testkit.DataSlices#dataSets")
    void roundPublishesCheckpointsWhoseLineageReplaysToTheSameTrainingSetAndMetrics(DataSet data, @TempDir Path tmp)
            throws Exception {
        Path slice = DataSlices.inspiredSlice(data, tmp.resolve("data"), Map.of("train", 40, "valid", 8, "test", 4));
        Path artifacts = tmp.resolve("artifacts");
        String prefix = "lineage-" + data + ".";
        Platform p = kafka.platform(Map.of("topic.prefix", prefix));
        publishInputs(p, slice);
        Map<String, String> settings = new java.util.HashMap<>(trainerSettings(artifacts));
        settings.put("topic.prefix", prefix);
        Platform trainerPlatform = kafka.platform(settings);

        // a crash during an earlier round left a staging directory behind
        Path stale = artifacts.resolve(ArtifactStore.STAGING_PREFIX + "inspired-r1-x-123");
        Files.createDirectories(stale);
        Files.writeString(stale.resolve("model.bin"), "half a model");

        TrainerService trainer = startTrainer(trainerPlatform);
        List<Checkpoint> first;
        List<Checkpoint> second;
        try {
            assertThat(stale).doesNotExist();
            Scrape before = Scrape.now();
            first = trainer.requestRound("inspired", List.of(TrainingMode.BASELINE, TrainingMode.TWO_STAGE))
                    .get(3, TimeUnit.MINUTES);
            // the round's duration and every epoch's loss are on the trainer's /metrics
            Scrape after = Scrape.now();
            assertThat(after.delta(before, "crs_trainer_round_seconds_count", "dataset", "inspired")).isEqualTo(1.0);
            assertThat(after.delta(before, "crs_trainer_round_seconds_sum", "dataset", "inspired"))
                    .isPositive().isLessThan(180.0);
            assertThat(after.lines("crs_trainer_epoch_loss", "dataset", "inspired", "mode", "two-stage", "stage",
                    "pretrain", "epoch", "2")).hasSize(1);
            assertThat(after.lines("crs_trainer_epoch_loss", "dataset", "inspired", "mode", "two-stage", "stage",
                    "finetune", "epoch", "1")).hasSize(1);
            assertThat(after.lines("crs_trainer_epoch_loss", "dataset", "inspired", "mode", "baseline", "stage",
                    "baseline", "epoch", "1")).hasSize(1);
            for (String line : after.lines("crs_trainer_epoch_loss", "dataset", "inspired")) {
                // cross-entropy over a catalogue of a few hundred items starts near ln(items), far below 100
                assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).as(line).isPositive()
                        .isLessThan(100.0);
            }

            // later input: more labels for one context; the replay must not see it
            try (PipelineState state = new PipelineState(p, "test-more")) {
                state.catchUp(Duration.ofMinutes(1));
                DialogueContext c = state.contexts("inspired", "train").get(0);
                List<String> more = state.items("inspired").stream().limit(5).map(Item::getItemId).toList();
                TestKafka.send(p, Topics.AUGMENTED_LABELS, c.contextId(), labels(c, more));
            }
            second = trainer.requestRound("inspired", List.of(TrainingMode.BASELINE)).get(3, TimeUnit.MINUTES);
        } finally {
            trainer.stop();
        }

        assertThat(first).extracting(Checkpoint::getMode).containsExactly("baseline", "two-stage");
        assertThat(first).allSatisfy(cp -> {
            assertThat(cp.getRound()).isEqualTo(1);
            assertThat(cp.getParentCheckpointId()).isNull();
            assertThat(cp.getInputRanges()).extracting(OffsetRange::getTopic)
                    .contains(prefix + "items", prefix + "dialogues", prefix + "embeddings", prefix + "augmented-labels");
            assertThat(cp.getMetrics()).containsKeys("validation_recall@50", "real_pairs", "augmented_pairs");
            // the published artifact is intact and loads
            Path dir = ArtifactStore.open(cp.getArtifactUri(), cp.getSha256());
            try (TrainedRecommender m = TrainedRecommender.load(dir.resolve(TrainedRecommender.ARTIFACT_ENTRY))) {
                assertThat(m.backbone()).isEqualTo(cp.getBackbone());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        // only complete artifacts are visible: no staging directory survives a round
        assertThat(published(artifacts)).containsExactlyInAnyOrderElementsOf(
                Stream.concat(first.stream(), second.stream()).map(Checkpoint::getCheckpointId).toList());

        // round 2 warm-started from round 1's baseline and says so
        Checkpoint warm = second.get(0);
        assertThat(warm.getRound()).isEqualTo(2);
        assertThat(warm.getParentCheckpointId()).isEqualTo(first.get(0).getCheckpointId());
        assertThat(warm.getConfig()).containsEntry("trainer.warm.start", "true");
        assertThat(warm.getMetrics().get("augmented_pairs")).isNotEqualTo(first.get(0).getMetrics().get("augmented_pairs"));

        // replay: a fresh state reads exactly the recorded ranges and trains the same models
        CrsConfig config = trainerPlatform.config();
        for (Checkpoint cp : first) {
            try (PipelineState replayState = new PipelineState(p, "replay-" + cp.getMode())) {
                replayState.catchUpTo(cp.getInputRanges(), Duration.ofMinutes(1));
                assertThat(replayState.offsetRanges()).isEqualTo(cp.getInputRanges());
                TrainingRound round = new TrainingRound(config, new ArtifactStore(tmp.resolve("replay-" + cp.getMode())));
                TrainingRound.Snapshot snapshot = round.snapshot(replayState, cp.getDataset(), cp.getSeed());
                snapshot.dataStats().forEach((k, v) -> assertThat(cp.getMetrics()).containsEntry(k, v));
                Checkpoint again = round.train(snapshot, TrainingMode.parse(cp.getMode()), cp.getRound());
                assertThat(again.getCheckpointId()).isEqualTo(cp.getCheckpointId());
                assertThat(again.getSha256()).as("bit-identical artifact").isEqualTo(cp.getSha256());
                for (String k : List.of("validation_recall@1", "validation_recall@10", "validation_recall@50")) {
                    assertThat(again.getMetrics().get(k)).isEqualTo(cp.getMetrics().get(k));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.crsaug.testkit.DataSlices#dataSets")
    void intervalTriggerStartsARoundByItself(DataSet data, @TempDir Path tmp) throws Exception {
        Path slice = DataSlices.inspiredSlice(data, tmp.resolve("data"), Map.of("train", 20, "valid", 4, "test", 2));
        String prefix = "interval-" + data + ".";
        Platform p = kafka.platform(Map.of("topic.prefix", prefix));
        publishInputs(p, slice);
        Map<String, String> settings = new java.util.HashMap<>(trainerSettings(tmp.resolve("artifacts")));
        settings.put("trainer.round.interval.ms", "500");
        settings.put("trainer.modes", "baseline");
        settings.put("trainer.backbone", "hybrid");
        settings.put("topic.prefix", prefix);
        TrainerService trainer = startTrainer(kafka.platform(settings));
        try {
            var records = TestKafka.readAll(p, Topics.CHECKPOINTS, 1, Duration.ofMinutes(2));
            Checkpoint cp = records.get(0).value();
            assertThat(cp.getBackbone()).isEqualTo("hybrid");
            assertThat(cp.getMode()).isEqualTo("baseline");
            assertThat(Files.readString(ArtifactStore.open(cp.getArtifactUri(), cp.getSha256()).resolve("encoder.txt"),
                    StandardCharsets.UTF_8)).isEqualTo(ENCODER);
        } finally {
            trainer.stop();
        }
    }

    @Test
    void aWriterThatDiesMidArtifactPublishesNothing(@TempDir Path tmp) throws Exception {
        ArtifactStore store = new ArtifactStore(tmp);
        assertThatThrownBy(() -> store.publish("a-1", dir -> {
            Files.writeString(dir.resolve("model.bin"), "half");
            throw new java.io.IOException("disk full");
        })).hasMessageContaining("a-1");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).isEmpty();
        }
    }
}
