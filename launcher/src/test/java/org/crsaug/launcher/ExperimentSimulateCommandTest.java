package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.crsaug.testkit.ConsoleCapture;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs experiment --simulate} as a person runs it on a synthetic INSPIRED slice: each seed's models are
 * simulated once that seed is trained (beside the next seed's training; a stopped grid keeps them), the closing
 * pass reads them back, and the same command run again trains and simulates nothing; with --retrain it trains
 * every model again, to the same checkpoints.
 */
class ExperimentSimulateCommandTest {

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void simulatesEachSeedAsItIsTrainedAndARepeatedCommandReusesEverything(@TempDir Path tmp) throws Exception {
        Path data = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp.resolve("data"),
                Map.of("train", 24, "valid", 6, "test", 8));
        Path state = tmp.resolve("state");
        Path report = tmp.resolve("report");
        String[] experiment = {"experiment", "--dataset", "inspired", "--seeds", "2", "--backbones", "semantic",
            "--modes", "baseline,two-stage", "--alphas", "none", "--sizes", "none", "--no-self-distillation",
            "--simulate", "--bootstrap", "200", "--out", report.toString(),
            "--bootstrap-servers", kafka.bootstrapServers(), "--schema-registry-url", kafka.registryUrl(),
            "--state-dir", state.toString(), "--data-dir", data.toString(), "--set", "topic.prefix=expsim.",
            "--set", "trainer.pretrain.epochs=1", "--set", "trainer.finetune.epochs=2", "--set", "retriever.top.k=10",
            "--set", "simulator.turns=2"};

        assertThat(Crs.execute(experiment)).as(console.stderr()).isZero();
        List<String> lines = console.stdout().lines().toList();
        // seed 1: its two models simulated (while seed 2 trains); seed 2: its two simulated and seed 1's read back;
        // the closing pass: all four read back, none simulated again
        assertThat(lines.stream().filter(l -> l.contains(" simulated ")).count()).as(console.stdout()).isEqualTo(4);
        assertThat(lines.stream().filter(l -> l.contains("reused the simulation of")).count()).isEqualTo(2 + 4);
        assertThat(secondSeed(lines)).as("two seeds trained").isPositive();
        String page = Files.readString(report.resolve("simulator.md"));
        assertThat(page).contains("| retrieval-only | metadata | semantic | modes | two-stage | 2 |");

        assertThat(lines.stream().filter(l -> l.contains("checkpoint reused"))).isEmpty();

        // the same command again (a stopped grid resumed): every model and every simulation is reused
        console.reset();
        assertThat(Crs.execute(experiment)).as(console.stderr()).isZero();
        List<String> again = console.stdout().lines().toList();
        assertThat(again.stream().filter(l -> l.strip().startsWith("seed "))).hasSize(4)
                .allSatisfy(l -> assertThat(l).contains("checkpoint reused"));
        assertThat(again.stream().filter(l -> l.contains(" simulated "))).as(console.stdout()).isEmpty();
        assertThat(again.stream().filter(l -> l.contains("reused the simulation of")).count()).isEqualTo(2 + 4 + 4);
        assertThat(Files.readString(report.resolve("simulator.md"))).isEqualTo(page);

        // --retrain trains every model anew; training is deterministic, so the checkpoints, and with them the
        // simulations read back, are the same
        console.reset();
        assertThat(Crs.execute(SmallRun.concat(experiment, new String[] {"--retrain"}))).as(console.stderr()).isZero();
        List<String> retrained = console.stdout().lines().toList();
        assertThat(retrained.stream().filter(l -> l.strip().startsWith("seed "))).hasSize(4)
                .noneSatisfy(l -> assertThat(l).contains("checkpoint reused"));
        assertThat(retrained.stream().filter(l -> l.contains(" simulated "))).isEmpty();
        assertThat(Files.readString(report.resolve("simulator.md"))).isEqualTo(page);
    }

    /** The first progress line of the second seed ("   seed N ..."). */
    private static int secondSeed(List<String> lines) {
        String first = null;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.startsWith("seed ")) {
                String seed = l.split("\\s+")[1];
                if (first == null) {
                    first = seed;
                } else if (!seed.equals(first)) {
                    return i;
                }
            }
        }
        return -1;
    }


}
