package org.crsaug.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.crsaug.launcher.ContinuousRun;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.testkit.DataSlices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs bench stream} against a {@code crs up} on a synthetic INSPIRED slice, on tiny settings (a
 * few dialogues, short steps, one run): every figure gets its labelled line. Nothing is timed here.
 */
class StreamBenchTest {

    @Test
    void printsEveryFigureAgainstARunningCrsUp(@TempDir Path tmp) throws Exception {
        Path data = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp.resolve("data"),
                Map.of("train", 16, "valid", 4, "test", 4));
        Path state = tmp.resolve("state");
        // any free ports (other builds share the machine); no automatic rounds, whose training would take the cores
        CrsConfig config = CrsConfig.defaults().withAll(Map.of("state.dir", state.toString(), "data.dir",
                data.toString(), "embedded.kafka.port", "0", "embedded.registry.port", "0", "serve.port", "0",
                "retriever.top.k", "20", "topic.partitions", "2", "trainer.round.min.new.labels", "0"));
        try (ContinuousRun up = ContinuousRun.start(config, List.of("inspired"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false)) {
            BenchCli bench = BenchCli.run("stream", "--state-dir", state.toString(), "--data-dir", data.toString(),
                    "--set", "trainer.round.min.new.labels=0", "--dialogues", "3", "--rate", "2", "--runs", "1",
                    "--stage-timeout", "90", "--checkpoint-timeout", "1", "--steps", "2", "--step-seconds", "2",
                    "--extra-scorers", "0,1,2", "--scaling-contexts", "8", "--latency-ms", "50");
            assertThat(bench.rc()).as(bench.out() + bench.err()).isZero();
            assertThat(bench.out()).as(bench.out()).contains(
                    "platform: Kafka at " + up.platform().bootstrapServers(),
                    "machine: ", "load average",
                    "judge of the platform (from its labels records): retrieval-only",
                    "  run 1: 3 dialogues",
                    "ingest -> candidates (every context of the dialogue): median ",
                    "ingest -> augmented labels (every context of the dialogue): median ",
                    "ingest -> first checkpoint including them: no checkpoint within 1 s",
                    "trainer.round.min.new.labels=0",
                    "target p95 ingest -> augmented labels <= 2 s at 2 dialogues/s: ",
                    "  step 2.0 dialogues/s",
                    "sustained dialogues/s before lag grows: ",
                    "labels/s with 0 extra scorer processes (1 in the group): median ",
                    "labels/s with 1 extra scorer process (2 in the group): median ",
                    "labels/s with 2 extra scorer processes (3 in the group): median ",
                    "(target >= 1.8x: ",
                    "machine at the end: ");
        }
    }

    @Test
    void withoutARunningPlatformItNamesTheCommandThatStartsOne(@TempDir Path tmp) {
        BenchCli bench = BenchCli.run("stream", "--state-dir", tmp.resolve("state").toString());
        assertThat(bench.rc()).isEqualTo(1);
        assertThat(bench.err()).contains("No crs up is running on the state directory",
                "./crs up --dataset inspired --state-dir " + tmp.resolve("state"), "--bootstrap-servers");
    }
}
