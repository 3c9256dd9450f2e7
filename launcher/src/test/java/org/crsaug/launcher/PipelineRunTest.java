package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.common.artifact.ArtifactStore;
import org.crsaug.common.model.TrainingMode;
import org.crsaug.common.platform.Platform;
import org.crsaug.common.testing.DataSlices;
import org.crsaug.common.testing.TestKafka;
import org.crsaug.common.topic.Topics;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Evaluation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The thin pipeline end to end on a slice of INSPIRED, on a real broker with the real models. */
class PipelineRunTest {

    private static TestKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = new TestKafka();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void aSliceFlowsFromIngestionToCheckpointsAndEvaluations(@TempDir Path tmp) throws Exception {
        Path data = DataSlices.inspiredSlice(tmp.resolve("data"), Map.of("train", 40, "valid", 8, "test", 8));
        Platform platform = kafka.platform(Map.of(
                "data.dir", data.toString(),
                "state.dir", tmp.resolve("state").toString(),
                "trainer.round.min.new.labels", "0",
                "trainer.pretrain.epochs", "2",
                "trainer.finetune.epochs", "3",
                "retriever.top.k", "20"));
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        List<PipelineRun.Row> rows = new PipelineRun(platform, new PrintStream(progress, true, StandardCharsets.UTF_8))
                .run("inspired", List.of(TrainingMode.BASELINE, TrainingMode.TWO_STAGE), Duration.ofMinutes(8));

        assertThat(rows).extracting(PipelineRun.Row::mode).containsExactly("baseline", "two-stage");
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.metrics().get("pairs")).isPositive();
            assertThat(r.metrics().get("recall@50")).isBetween(0.0, 1.0);
            assertThat(r.metrics().get("recall@1")).isLessThanOrEqualTo(r.metrics().get("recall@10"));
            assertThat(r.metrics().get("recall@10")).isLessThanOrEqualTo(r.metrics().get("recall@50"));
        });
        List<ConsumerRecord<String, Checkpoint>> checkpoints = TestKafka.readAll(platform, Topics.CHECKPOINTS, 2,
                Duration.ofSeconds(30));
        assertThat(checkpoints).hasSize(2);
        for (ConsumerRecord<String, Checkpoint> r : checkpoints) {
            Checkpoint cp = r.value();
            assertThat(cp.getInputRanges()).isNotEmpty();
            assertThat(cp.getMetrics()).containsKey("validation_recall@50");
            // the artifact is intact: opening it verifies its checksum
            assertThat(ArtifactStore.open(cp.getArtifactUri(), cp.getSha256())).isDirectory();
        }
        List<ConsumerRecord<String, Evaluation>> evaluations = TestKafka.readAll(platform, Topics.EVALUATIONS, 2,
                Duration.ofSeconds(30));
        assertThat(evaluations).extracting(r -> r.value().getProtocol()).containsOnly("strict");
        assertThat(evaluations).extracting(r -> r.value().getCheckpointId())
                .containsExactlyInAnyOrderElementsOf(checkpoints.stream().map(ConsumerRecord::key).toList());
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("[1/5]", "[4/5]", "contexts encoded", "/s)");
        assertThat(ResultTable.render(rows)).contains("baseline", "two-stage", "lift");
    }
}
