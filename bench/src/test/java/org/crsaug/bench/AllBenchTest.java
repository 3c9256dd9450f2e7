package org.crsaug.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.crsaug.platform.metrics.StageMeters;
import org.crsaug.testkit.DataSlices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs bench all} on a synthetic INSPIRED slice, every part once with tiny sizes: each prints its figures
 * and its ratio, the bare ONNX Runtime session gives the pipeline encoder's very vectors, and the cold run's
 * stages were all metered. No figure is judged: this checks that the bench runs and says everything.
 */
class AllBenchTest {

    @Test
    void everyPartRunsAndPrintsEveryFigure(@TempDir Path tmp) throws Exception {
        Path data = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp.resolve("data"),
                Map.of("train", 24, "valid", 6, "test", 6));
        BenchCli bench = BenchCli.run("all", "--dataset", "inspired", "--state-dir", tmp.resolve("state").toString(),
                "--data-dir", data.toString(), "--texts", "24", "--queries", "20", "--samples", "128", "--batch", "32",
                "--repeats", "1", "--set", "trainer.pretrain.epochs=1", "--set", "trainer.finetune.epochs=1",
                "--set", "retriever.top.k=20", "--set", "topic.partitions=2");
        String out = bench.out();
        assertThat(bench.rc()).as(out + bench.err()).isZero();

        assertThat(out).as(out).contains("pipeline/s", "bare ORT/s",
                Runtime.getRuntime().availableProcessors() + " threads on both sides");
        // same graph file, same single-row inputs: the hand-written session must give the pipeline's vectors
        assertThat(out).as(out).contains("identical").doesNotContain("max |diff|");
        assertThat(out).as(out).containsPattern("(?m)^  encoder \\d+-\\d+ +tokens pipeline/bare \\d+\\.\\d\\dx");

        assertThat(out).as(out).containsPattern("fused multiply-add peak: \\d+\\.\\d\\d GFLOP/s on one thread")
                .containsPattern("limit: [0-9.]+ MFLOP/query / [0-9.]+ GFLOP/s = [0-9.]+ ms/query")
                .containsPattern("(?m)^  search one at a time +\\d+\\.\\d\\dx the limit")
                .containsPattern("(?m)^  search batched +\\d+\\.\\d\\dx the limit")
                .containsPattern("(?m)^  search batched, \\d+ threads \\d+\\.\\d\\dx the all-core limit .*<= 0\\.15 ms: (met|not met)\\)");

        // with torch for /usr/bin/python3 both rates and the ratio, without it one line saying why
        for (String backbone : new String[] {"semantic", "hybrid"}) {
            assertThat(out).as(out).containsPattern("(?m)^  " + backbone + " +java +\\d+\\.\\d samples/s");
            assertThat(out).as(out).containsPattern("(?m)^  trainer " + backbone
                    + " +(java/pytorch \\d+\\.\\d\\dx|no ratio: PyTorch skipped)");
        }

        assertThat(out).as(out).contains("pipeline: cold crs run --dataset inspired", "[4/5] evaluate");
        for (String stage : StageMeters.STEPS) {
            // each stage of the cold run ran, so its meter holds time
            assertThat(out).as(out).containsPattern("(?m)^  " + stage + " +\\d+\\.\\d{3} +\\d+\\.\\d% +\\d+\\.\\d{3}$")
                    .doesNotContainPattern("(?m)^  " + stage + " +0\\.000 ");
        }
        // the stream processors' exactly-once commits, from their producers' own time totals
        assertThat(out).as(out).containsPattern("(?m)^  " + PipelineStages.PRODUCE_COMMIT
                + " +\\d+\\.\\d{3} +\\d+\\.\\d% +\\d+\\.\\d{3}$")
                .doesNotContainPattern("(?m)^  " + PipelineStages.PRODUCE_COMMIT + " +0\\.000 ")
                .containsPattern("(?m)^  wall time +\\d+\\.\\d\\d ");
        assertThat(out).as(out).contains("ratios:").containsPattern("(?m)^  pipeline \\(cold, [0-9.]+ s\\): ingest")
                .containsPattern("(?m)^  whole command +\\d+\\.\\d min \\(target < 15 min: (met|not met)\\)$");
    }

    @Test
    void anUnknownPartOrANonPositiveSizeIsRefusedBeforeAnythingRuns() {
        BenchCli part = BenchCli.run("all", "--parts", "encoder,gpu");
        assertThat(part.rc()).isEqualTo(2);
        assertThat(part.err()).contains("error: Unknown part 'gpu' in --parts; choose from [encoder, search, trainer,"
                + " pipeline]");
        BenchCli size = BenchCli.run("all", "--texts", "0");
        assertThat(size.rc()).isEqualTo(2);
        assertThat(size.err()).contains("error: --texts, --queries, --samples, --repeats and --batch must be at least 1");
    }

    @Test
    void withoutPythonTheTrainerPartSaysSoInOneLineAndGoesOn(@TempDir Path tmp) throws Exception {
        Path data = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp.resolve("data"),
                Map.of("train", 8, "valid", 2, "test", 2));
        Path missing = tmp.resolve("no-python-here");
        BenchCli bench = BenchCli.run("all", "--parts", "trainer", "--backbone", "semantic", "--dataset", "inspired",
                "--state-dir", tmp.resolve("state").toString(), "--data-dir", data.toString(), "--samples", "64",
                "--batch", "32", "--repeats", "1", "--python", missing.toString());
        assertThat(bench.rc()).as(bench.out() + bench.err()).isZero();
        assertThat(bench.out()).as(bench.out())
                .contains("PyTorch comparison skipped: " + missing + " is not there")
                .containsPattern("(?m)^  semantic +java +\\d+\\.\\d samples/s")
                .contains("trainer semantic      no ratio: PyTorch skipped");
    }
}
