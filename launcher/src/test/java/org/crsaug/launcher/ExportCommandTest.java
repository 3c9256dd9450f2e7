package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.testkit.ConsoleCapture;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.PipelineInputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs export} as a person runs it, on a stopped state directory (the command starts the embedded broker
 * there, as {@code crs status} does): files written and counted, and the refusals that need the topics (a checkpoint that does not exist) with exit code 2.
 */
class ExportCommandTest {

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void exportsTheNewestCheckpointOfAStoppedStateDirectoryAndRefusesAnUnknownOne(@TempDir Path tmp) throws Exception {
        Path state = tmp.resolve("state");
        Path slice = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp.resolve("data"),
                Map.of("train", 8, "valid", 2, "test", 2));
        try (Platform p = Platform.start(CrsConfig.defaults().with("state.dir", state.toString()))) {
            p.ensureTopics();
            PipelineInputs.publish(p, slice, 5);
            PipelineInputs.publishProvenance(p);
            PipelineInputs.publishCheckpoint(p, "inspired-r1-cli", 1_000L);
        }

        assertThat(run(state, "export", "labels", "--dataset", "inspired", "--format", "jsonl", "--out",
                tmp.resolve("a").toString())).as(console.stderr()).isZero();
        assertThat(console.stdout()).contains("exported 5 labelled contexts", "of checkpoint inspired-r1-cli",
                "inspired-labels.jsonl", "manifest.json");
        assertThat(Files.readAllLines(tmp.resolve("a/inspired-labels.jsonl"))).hasSize(5);
        assertThat(run(state, "export", "labels", "--dataset", "inspired", "--format", "fnscrs", "--out",
                tmp.resolve("c").toString(), "--checkpoint", "inspired-r9-nope")).isEqualTo(2);
        assertThat(console.stderr()).contains("no checkpoint 'inspired-r9-nope'").doesNotContain("\tat ");

        assertThat(run(state, "export", "judgements", "--out", tmp.resolve("j.csv").toString())).isZero();
        assertThat(Files.readAllLines(tmp.resolve("j.csv")))
                .containsExactly("cacheKey,model,promptVersion,contextId,itemId,score,judgedAtMs");
    }

    private static int run(Path state, String... args) {
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--state-dir", state.toString())).toArray(String[]::new);
        return Crs.execute(all);
    }
}
