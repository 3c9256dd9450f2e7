package org.crsaug.platform.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.crsaug.testkit.Scrape;
import org.crsaug.schema.Evaluation;
import org.junit.jupiter.api.Test;

/** The per-checkpoint gauges stay bounded however many checkpoints a long-running pipeline publishes. */
class PipelineMetersTest {

    private static Evaluation evaluation(String checkpoint, double recall) {
        return Evaluation.newBuilder().setCheckpointId(checkpoint).setMode("baseline").setBackbone("semantic")
                .setDataset("bounded").setProtocol("strict").setSplit("test").setPairs(10)
                .setMetrics(Map.of("recall@50", recall, "recall@10", recall / 2)).setEvaluatedAtMs(0).build();
    }

    @Test
    void onlyTheMostRecentCheckpointsKeepTheirSeries() {
        int published = PipelineMeters.KEPT_CHECKPOINTS + 5;
        for (int i = 0; i < published; i++) {
            PipelineMeters.recordEvaluation(evaluation("cp-" + i, i / 100.0));
        }
        // re-recording a kept checkpoint updates its value without evicting anything
        PipelineMeters.recordEvaluation(evaluation("cp-" + (published - 1), 0.9));

        Scrape s = Scrape.now();
        assertThat(s.lines("crs_evaluation_metric", "dataset", "bounded"))
                .hasSize(2 * PipelineMeters.KEPT_CHECKPOINTS);
        assertThat(s.lines("crs_evaluation_metric", "checkpoint", "cp-4")).isEmpty();
        assertThat(s.value("crs_evaluation_metric", "checkpoint", "cp-5", "metric", "recall@50")).isEqualTo(0.05);
        assertThat(s.value("crs_evaluation_metric", "checkpoint", "cp-" + (published - 1), "metric", "recall@50"))
                .isEqualTo(0.9);
    }

    @Test
    void epochLossesAreTaggedByEpochSoTheLatestCurveReplacesTheLast() {
        PipelineMeters.recordEpochLoss("lossy", "two-stage", "pretrain", 1, 5.0);
        PipelineMeters.recordEpochLoss("lossy", "two-stage", "finetune", 1, 4.0);
        PipelineMeters.recordEpochLoss("lossy", "two-stage", "pretrain", 1, 3.0);
        PipelineMeters.recordEpochLoss("lossy", "two-stage", "finetune", 1, 2.5);

        Scrape s = Scrape.now();
        assertThat(s.lines("crs_trainer_epoch_loss", "dataset", "lossy")).hasSize(2);
        assertThat(s.value("crs_trainer_epoch_loss", "dataset", "lossy", "stage", "pretrain", "epoch", "1"))
                .isEqualTo(3.0);
    }
}
