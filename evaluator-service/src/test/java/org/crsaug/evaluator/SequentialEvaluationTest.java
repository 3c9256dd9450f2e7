package org.crsaug.evaluator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.data.state.PipelineState;
import org.crsaug.model.checkpoint.CollaborativeModel;
import org.crsaug.model.recommender.SequentialBackbone;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.model.training.Catalogue;
import org.crsaug.model.training.TrainingRound;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Evaluation;
import org.crsaug.testkit.DataSet;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.PipelineInputs;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sequential backbone through a real round and the real evaluator on a slice of INSPIRED: baseline and
 * two-stage checkpoints are trained, published and evaluated, and every evaluation carries CS@10 and CS@50
 * measured with one collaborative model, trained for the first checkpoint and reused for the second.
 */
class SequentialEvaluationTest {

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.crsaug.testkit.DataSlices#dataSets")
    void sequentialCheckpointsAreTrainedInBothStagesAndEvaluatedWithRecallAndCollaborativeScores(DataSet set,
            @TempDir Path tmp) throws Exception {
        Path slice = DataSlices.inspiredSlice(set, tmp.resolve("data"), Map.of("train", 40, "valid", 8, "test", 10));
        Path artifacts = tmp.resolve("artifacts");
        Platform p = kafka.platform(Map.of("topic.prefix", "seq-" + set + ".", "artifact.dir", artifacts.toString(),
                "trainer.backbone", SequentialBackbone.NAME, "trainer.hidden", "16", "trainer.pretrain.epochs", "2",
                "trainer.finetune.epochs", "3", "trainer.batch.size", "32", "trainer.learning.rate", "0.01"));
        PipelineInputs.publish(p, slice);
        int titles;
        List<Checkpoint> checkpoints;
        try (PipelineState state = new PipelineState(p, "test-round")) {
            state.catchUp(Duration.ofMinutes(1));
            titles = state.items(PipelineInputs.DATASET).size();
            TrainingRound round = new TrainingRound(p.config(), new ArtifactStore(artifacts));
            TrainingRound.Snapshot snapshot = round.snapshot(state, PipelineInputs.DATASET, 42L);
            checkpoints = List.of(round.train(snapshot, TrainingMode.BASELINE, 1),
                    round.train(snapshot, TrainingMode.TWO_STAGE, 1));
        }
        assertThat(checkpoints).extracting(Checkpoint::getBackbone).containsOnly(SequentialBackbone.NAME);
        assertThat(checkpoints.get(1).getStage()).isEqualTo("fine-tuned");
        for (Checkpoint cp : checkpoints) {
            TestKafka.send(p, Topics.CHECKPOINTS, cp.getCheckpointId(), cp);
        }

        EvaluatorService evaluator = new EvaluatorService(p);
        evaluator.start();
        List<ConsumerRecord<String, Evaluation>> evaluations;
        try {
            PipelineInputs.awaitReady(evaluator, Duration.ofSeconds(60));
            evaluations = TestKafka.readAll(p, Topics.EVALUATIONS, 4, Duration.ofMinutes(3));
        } finally {
            evaluator.stop();
        }

        assertThat(evaluations).hasSize(4).allSatisfy(r -> {
            Evaluation ev = r.value();
            assertThat(ev.getBackbone()).isEqualTo(SequentialBackbone.NAME);
            assertThat(ev.getMetrics()).containsKeys("recall@10", "recall@50", "cs@10", "cs@50");
            assertThat(ev.getMetrics().get("cs_contexts")).isPositive();
            assertThat(ev.getMetrics().get("cs@10")).isFinite();
        });
        // one collaborative model, over every title, for both checkpoints
        List<Path> collaborative;
        try (Stream<Path> s = Files.list(artifacts)) {
            collaborative = s.filter(d -> d.getFileName().toString().startsWith("collaborative-")).toList();
        }
        assertThat(collaborative).singleElement().satisfies(d -> {
            assertThat(d.getFileName().toString())
                    .isEqualTo(CollaborativeModel.artifactId(p.config(), PipelineInputs.DATASET));
            assertThat(Catalogue.readFrom(d).size()).isEqualTo(titles);
        });
        // a later evaluation loads it instead of training again: it never asks for the pipeline state
        try (CollaborativeModel again = CollaborativeModel.obtain(() -> {
            throw new AssertionError("the collaborative model was trained again");
        }, p.config(), PipelineInputs.DATASET)) {
            assertThat(again.artifactId()).isEqualTo(collaborative.get(0).getFileName().toString());
        }
    }
}
