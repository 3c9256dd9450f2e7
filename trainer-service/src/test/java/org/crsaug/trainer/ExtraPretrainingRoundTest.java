package org.crsaug.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.crsaug.data.state.PipelineState;
import org.crsaug.model.recommender.EvalContext;
import org.crsaug.model.recommender.Example;
import org.crsaug.model.recommender.TrainerSettings;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.model.training.ExtraPretraining;
import org.crsaug.model.training.TrainingRound;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.schema.Checkpoint;
import org.crsaug.testkit.DataSet;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.PipelineInputs;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A round that also pre-trains on ReDial's dialogues, on a real broker with the synthetic data (whose two
 * datasets share movies under different ids): the borrowed examples join the first stage and nothing else.
 */
class ExtraPretrainingRoundTest {

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    /** An example as comparable text: its vector, label and mentions. */
    private static List<String> described(List<Example> examples) {
        return examples.stream().map(e -> Arrays.toString(e.context()) + e.itemIndex()
                + Arrays.toString(e.mentioned())).toList();
    }

    private static List<String> describedEval(List<EvalContext> contexts) {
        return contexts.stream().map(e -> Arrays.toString(e.context()) + Arrays.toString(e.goldItems())).toList();
    }

    @Test
    void redialExamplesReachOnlyTheFirstStageAndTheirOverlapIsRecorded(@TempDir Path tmp) throws Exception {
        DataSet synthetic = DataSlices.synthetic();
        Path slice = DataSlices.inspiredSlice(synthetic, tmp.resolve("data"),
                Map.of("train", 40, "valid", 8, "test", 4));
        Platform p = kafka.platform(Map.of("topic.prefix", "extra-"));
        PipelineInputs.publish(p, slice);
        CrsConfig plain = p.config().with("trainer.hidden", "16").with("trainer.pretrain.epochs", "1")
                .with("trainer.finetune.epochs", "1");
        CrsConfig borrowing = plain.with(ExtraPretraining.SETTING, "redial");

        try (PipelineState state = new PipelineState(p, "extra-test")) {
            state.catchUp(Duration.ofMinutes(1));
            TrainingRound without = new TrainingRound(plain, new ArtifactStore(tmp.resolve("a")));
            TrainingRound with = new TrainingRound(borrowing, new ArtifactStore(tmp.resolve("b")));
            // nothing of ReDial in the pipeline yet: refused, saying how to get it there
            assertThatThrownBy(() -> with.snapshot(state, "inspired", 42))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("No training dialogues of 'redial'")
                    .hasMessageContaining("crs ingest --dataset redial");

            int encoded = PipelineInputs.publishEncodedOnly(p, "redial", synthetic.dir("redial"));
            state.catchUp(Duration.ofMinutes(1));
            TrainingRound.Snapshot base = without.snapshot(state, "inspired", 42);
            TrainingRound.Snapshot extended = with.snapshot(state, "inspired", 42);

            // fine-tuning data and model selection are untouched; the first stage is INSPIRED's own labels, then ReDial's
            assertThat(described(extended.data().real())).isEqualTo(described(base.data().real()));
            assertThat(describedEval(extended.data().validation())).isEqualTo(describedEval(base.data().validation()));
            List<String> firstStage = described(extended.data().augmented());
            List<String> own = described(base.data().augmented());
            assertThat(firstStage.subList(0, own.size())).isEqualTo(own);
            Map<String, Double> stats = extended.dataStats();
            int borrowed = firstStage.size() - own.size();
            assertThat(borrowed).isPositive();
            assertThat(stats).containsEntry("extra_pretrain_examples", (double) borrowed)
                    .containsEntry("augmented_pairs", base.dataStats().get("augmented_pairs"))
                    .containsEntry("extra_contexts_without_vector", 0.0);
            assertThat(stats.get("extra_pretrain_contexts")).isPositive().isLessThanOrEqualTo(encoded)
                    .isLessThanOrEqualTo(borrowed);
            // the synthetic datasets share most movies, but the slice's catalogue (items with metadata) not all
            assertThat(stats.get("extra_source_items_mapped")).isPositive()
                    .isLessThanOrEqualTo(stats.get("extra_source_items_mentioned"));
            assertThat(stats.get("extra_target_items_reached")).isPositive()
                    .isLessThanOrEqualTo(stats.get("extra_source_items_mapped"))
                    .isLessThanOrEqualTo(extended.catalogue().size());
            assertThat(base.dataStats()).doesNotContainKey("extra_pretrain_examples");

            // a model trains on it, and its checkpoint says what it borrowed, so a replay borrows the same
            Checkpoint cp = with.train(extended, TrainerSettings.fromConfig(borrowing, TrainingMode.TWO_STAGE), 0,
                    null);
            assertThat(cp.getConfig()).containsEntry(ExtraPretraining.SETTING, "redial");
            assertThat(cp.getMetrics()).containsEntry("extra_pretrain_examples", (double) borrowed);
            Checkpoint plainCp = without.train(base, TrainerSettings.fromConfig(plain, TrainingMode.TWO_STAGE), 0,
                    null);
            assertThat(plainCp.getConfig()).doesNotContainKey(ExtraPretraining.SETTING);
        }
    }
}
