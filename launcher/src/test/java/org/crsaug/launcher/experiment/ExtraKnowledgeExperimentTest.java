package org.crsaug.launcher.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.data.state.PipelineState;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.model.training.ExtraPretraining;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Checkpoint;
import org.crsaug.testkit.DataSet;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The label variant that borrows ReDial's dialogues, end to end on small synthetic slices with the real
 * encoder: ReDial is ingested and encoded in the variant's namespace, never retrieved for or judged, and its
 * examples reach the two-stage model, whose overlap figures the outcome carries.
 */
class ExtraKnowledgeExperimentTest {

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Test
    void theVariantEncodesRedialWithoutLabellingItAndItsTwoStageModelBorrows(@TempDir Path tmp) throws Exception {
        DataSet synthetic = DataSlices.synthetic();
        Path data = DataSlices.inspiredSlice(synthetic, tmp.resolve("data"), Map.of("train", 20, "valid", 4,
                "test", 6));
        DataSlices.redialSlice(synthetic, data, 25, 3);
        Platform platform = kafka.platform(Map.of("topic.prefix", "xk-", "data.dir", data.toString(),
                "state.dir", tmp.resolve("state").toString(), "catalogue", "all", "trainer.hidden", "32",
                "trainer.pretrain.epochs", "1", "trainer.finetune.epochs", "1", "retriever.top.k", "10"));
        ExperimentPlan plan = new ExperimentPlan("inspired", 1, List.of("semantic"),
                List.of(TrainingMode.BASELINE, TrainingMode.TWO_STAGE), List.of(), List.of(),
                List.of(new ExperimentPlan.LabelVariant("redial-knowledge", Map.of(ExtraPretraining.SETTING,
                        "redial"))), List.of("all"), 100);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        ExperimentRunner.Outcome outcome = new ExperimentRunner(platform,
                new PrintStream(progress, true, StandardCharsets.UTF_8)).run(plan, Duration.ofMinutes(5));

        Map<String, Double> figures = outcome.extraPretraining().get("redial-knowledge");
        assertThat(figures).isNotNull();
        assertThat(figures.get("extra_pretrain_examples")).isPositive();
        assertThat(figures.get("extra_contexts_without_vector")).isZero();
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("extra first stage: ");
        assertThat(outcome.runs()).extracting(RunResult::setting).containsExactly("baseline", "two-stage");

        try (Platform variant = Platform.connect(platform.config().with("topic.prefix", "xk-exp-redial-knowledge-"));
                PipelineState state = new PipelineState(variant, "test-read")) {
            state.catchUp(Duration.ofMinutes(1));
            // every ReDial context is encoded, none has candidates or labels: only INSPIRED's were made
            assertThat(state.contexts("redial", "train")).isNotEmpty().allSatisfy(c -> {
                assertThat(state.contextVector(state.encoderId(), c.contextId())).isNotNull();
                assertThat(state.labels(c.contextId())).isNull();
            });
            assertThat(TestKafka.readAll(variant, Topics.CANDIDATES, 1, Duration.ofSeconds(30)))
                    .allSatisfy(r -> assertThat(r.key()).startsWith("inspired:"));
            List<ConsumerRecord<String, Checkpoint>> checkpoints = TestKafka.readAll(variant, Topics.CHECKPOINTS, 2,
                    Duration.ofSeconds(30));
            Checkpoint twoStage = checkpoints.stream().map(ConsumerRecord::value)
                    .filter(c -> c.getMode().equals("two-stage")).findFirst().orElseThrow();
            assertThat(twoStage.getConfig()).containsEntry(ExtraPretraining.SETTING, "redial");
            assertThat(twoStage.getMetrics()).containsEntry("extra_pretrain_examples",
                    figures.get("extra_pretrain_examples"));
        }
    }
}
