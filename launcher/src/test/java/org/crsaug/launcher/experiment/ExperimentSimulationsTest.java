package org.crsaug.launcher.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.model.simulate.AttributeSeeker;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs experiment --simulate} on a tiny grid (synthetic INSPIRED slice, two seeds, two label variants, one
 * of them in its own namespace, an alpha sweep): every trained model simulated once, turn 1 equal to its
 * offline recall, differences to the baseline under the simulator beside the offline ones, and the alpha plot.
 */
class ExperimentSimulationsTest {

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Test
    void everyModelOfTheGridIsSimulatedOnceAndComparedWithItsBaselineBesideTheOfflineNumbers(@TempDir Path tmp)
            throws Exception {
        Path data = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp.resolve("data"),
                Map.of("train", 30, "valid", 6, "test", 8));
        Platform platform = kafka.platform(Map.of("topic.prefix", "simx-", "data.dir", data.toString(),
                "state.dir", tmp.resolve("state").toString(), "trainer.pretrain.epochs", "1",
                "trainer.finetune.epochs", "2", "retriever.top.k", "10"));
        ExperimentPlan plan = new ExperimentPlan("inspired", 2, List.of("semantic"),
                List.of(TrainingMode.BASELINE, TrainingMode.TWO_STAGE), List.of(0.0, 0.5), List.of(),
                List.of(new ExperimentPlan.LabelVariant("top5", Map.of()),
                        new ExperimentPlan.LabelVariant("top2", Map.of("scorer.retrieval.top.n", "2"))),
                List.of("metadata"), 200);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(progress, true, StandardCharsets.UTF_8);
        ExperimentRunner.Outcome outcome = new ExperimentRunner(platform, out).run(plan, Duration.ofMinutes(5));

        Set<String> made = new HashSet<>();
        try (SimulatorEncoders encoders = new SimulatorEncoders()) {
            ExperimentSimulations sims = ExperimentSimulations.simulate(platform, outcome, new AttributeSeeker(), 2, out,
                    false, made, encoders);

            long distinct = outcome.runs().stream().map(RunResult::checkpointId).distinct().count();
            assertThat(progress.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("simulated ")))
                    .hasSize((int) distinct);
            // every variant's later checkpoints meet the test contexts its first one encoded (and whose turn 1 is
            // checked against the offline recall below, so the remembered vectors are the right ones)
            assertThat(progress.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("simulator texts of")))
                    .hasSize(2).allSatisfy(l -> assertThat(l).matches(".* \\d+ encoded, [1-9]\\d* remembered .*"));
            List<ExperimentSimulations.Row> rows = sims.rows();
            // 2 variants x (2 modes + 2 alphas)
            assertThat(rows).hasSize(8);
            for (ExperimentSimulations.Row r : rows) {
                assertThat(r.episodes()).isEqualTo(r.first().ranks().length).isPositive();
                boolean baseline = r.first().setting().equals("baseline");
                assertThat(r.sim10() == null).isEqualTo(baseline);
                assertThat(r.offline10() == null).isEqualTo(baseline);
            }
            // turn 1 is the dialogue the offline evaluation scored: the same recall, model by model
            sims.runs().forEach(run -> assertThat(run.summary().recall()[0][1])
                    .as(run.run().checkpointId())
                    .isCloseTo(run.run().metrics().get("recall@10"), within(1e-9)));

            // once more, as at the end of an experiment that simulated after every seed: every simulation this run made
            // is read back from the topic, the same episodes, and nothing is simulated or published again
            int published = TestKafka.readAll(platform, Topics.SIMULATION_EPISODES, 1, Duration.ofSeconds(30)).size();
            ByteArrayOutputStream second = new ByteArrayOutputStream();
            ExperimentSimulations reused = ExperimentSimulations.simulate(platform, outcome, new AttributeSeeker(), 2,
                    new PrintStream(second, true, StandardCharsets.UTF_8), false, made, encoders);
            assertThat(second.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("simulated "))).isEmpty();
            assertThat(second.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("reused the simulation of")))
                    .hasSize((int) distinct);
            assertSameRuns(reused, sims);
            assertThat(TestKafka.readAll(platform, Topics.SIMULATION_EPISODES, published, Duration.ofSeconds(30)))
                    .hasSize(published);
            // a later experiment reuses them too unless told not to (--resimulate): then it simulates anew, alike
            ByteArrayOutputStream third = new ByteArrayOutputStream();
            ExperimentSimulations again = ExperimentSimulations.simulate(platform, outcome, new AttributeSeeker(), 2,
                    new PrintStream(third, true, StandardCharsets.UTF_8), false, new HashSet<>(), encoders);
            assertThat(third.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("simulated ")))
                    .hasSize((int) distinct);
            assertSameRuns(again, sims);
            // and every text it meets was encoded by the first pass, whose encoders it shares (as seeds share them)
            assertThat(third.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("simulator texts of")))
                    .hasSize(2).allSatisfy(l -> assertThat(l).matches(".*: 0 encoded, [1-9]\\d* remembered .*"));
            ExperimentSimulations later = ExperimentSimulations.simulate(platform, outcome, new AttributeSeeker(), 2,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), true, new HashSet<>(),
                    encoders);
            assertSameRuns(later, sims);

            Path html = sims.write(tmp.resolve("report"));
            assertThat(html).isNotEmptyFile();
            assertThat(Files.readString(tmp.resolve("report/simulator.md"))).startsWith(
                    "# Experiment under the user simulator").contains("Training schemes under the user simulator",
                    "Sweeps under the user simulator", "| top2 | metadata | semantic | modes | two-stage | 2 |");
            assertThat(tmp.resolve("report/recall-vs-alpha-offline-and-simulator.png")).isNotEmptyFile();
            // one row per episode of every listed model, the header first
            int episodes = sims.runs().stream().mapToInt(r -> r.bestRanks().length).sum();
            assertThat(Files.readAllLines(tmp.resolve("report/simulator-ranks.csv"))).hasSize(1 + episodes)
                    .first().isEqualTo(PairRankCsv.HEADER);
        }
    }

    private static void assertSameRuns(ExperimentSimulations actual, ExperimentSimulations expected) {
        assertThat(actual.runs()).hasSameSizeAs(expected.runs());
        for (int i = 0; i < expected.runs().size(); i++) {
            ExperimentSimulations.Run a = actual.runs().get(i);
            ExperimentSimulations.Run e = expected.runs().get(i);
            assertThat(a.run().checkpointId()).isEqualTo(e.run().checkpointId());
            assertThat(a.bestRanks()).as(e.run().checkpointId()).isEqualTo(e.bestRanks());
            assertThat(a.summary().recall()).isDeepEqualTo(e.summary().recall());
        }
    }
}
