package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.model.simulate.Simulation;
import org.crsaug.model.simulate.SimulationEpisodes;
import org.crsaug.model.simulate.SimulationSummary;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.SimulatedTurn;
import org.crsaug.schema.SimulationEpisode;
import org.crsaug.testkit.ConsoleCapture;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.FakeChatServer;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs simulate} as a person runs it, against a checkpoint really trained on an INSPIRED slice (the
 * mirror where present, else the synthetic data): the table and report, the episodes on their topic, turn 1
 * agreeing with the offline evaluation of the same checkpoint, a second run reusing the published episodes, and
 * a run with --resimulate reproducing the first.
 */
class SimulateCommandTest {

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void simulatesATrainedCheckpointPublishesItsEpisodesAndRepeatsItself(@TempDir Path tmp) throws Exception {
        Path data = DataSlices.inspiredSlice(tmp.resolve("data"), Map.of("train", 30, "valid", 6, "test", 10));
        String prefix = "sim.";
        Path state = tmp.resolve("state");
        Platform platform = kafka.platform(SmallRun.settings(data, state, Map.of("topic.prefix", prefix)));
        List<PipelineRun.Row> rows = new PipelineRun(platform, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)).run("inspired", List.of(TrainingMode.BASELINE), Duration.ofMinutes(8));
        PipelineRun.Row offline = rows.get(0);
        String checkpoint = offline.checkpointId();

        String[] simulate = {"simulate", "--dataset", "inspired", "--checkpoint", checkpoint, "--turns", "3",
                "--out", tmp.resolve("report").toString(), "--bootstrap-servers", platform.bootstrapServers(),
                "--schema-registry-url", platform.registryUrl(), "--state-dir", state.toString(),
                "--set", "topic.prefix=" + prefix};
        assertThat(Crs.execute(simulate)).as(console.stderr()).isZero();

        String printed = console.stdout();
        assertThat(printed).contains("checkpoint " + checkpoint, "attributes-v1", "R@1", "R@10", "R@50", "3 (end)",
                "mean turns");
        Matcher m = Pattern.compile("(\\d+) episodes \\((\\d+) invalid\\)").matcher(printed);
        assertThat(m.find()).as(printed).isTrue();
        int episodes = Integer.parseInt(m.group(1));
        assertThat(episodes).isEqualTo(offline.metrics().get("pairs").intValue());
        assertThat(m.group(2)).isEqualTo("0");
        String md = Files.readString(tmp.resolve("report/report.md"));
        assertThat(md).startsWith("# Simulation report").contains(checkpoint, "| turn | R@1 | R@10 | R@50 |",
                "recall-per-turn.png");
        assertThat(tmp.resolve("report/report.html")).isNotEmptyFile();
        assertThat(tmp.resolve("report/recall-per-turn.png")).isNotEmptyFile();

        String simulationId = checkpoint + "|attributes-v1|turns=3";
        Map<String, SimulationEpisode> published = SimulationEpisodes.read(platform, simulationId);
        assertThat(published).hasSize(episodes);
        published.forEach((key, e) -> {
            assertThat(key).isEqualTo(Simulation.key(e)).startsWith(simulationId + "|");
            assertThat(e.getValid()).isTrue();
            assertThat(e.getTurns()).isNotEmpty().hasSizeLessThanOrEqualTo(3);
            assertThat(e.getTurns().get(0).getRevealed()).isEqualTo("context");
            assertThat(e.getTurns()).allSatisfy(t -> assertThat(t.getTargetRank()).isPositive());
            // an episode ends early only when the target came first
            List<SimulatedTurn> turns = e.getTurns();
            if (turns.size() < 3) {
                assertThat(turns.get(turns.size() - 1).getTargetRank()).isEqualTo(1);
            }
        });
        // turn 1 is the real dialogue: the same ranks, so the same recall, as the offline evaluation
        SimulationSummary summary = SimulationSummary.of(List.copyOf(published.values()), 3, Simulation.KS);
        assertThat(summary.recall()[0][0]).isCloseTo(offline.metrics().get("recall@1"), within(1e-9));
        assertThat(summary.recall()[0][1]).isCloseTo(offline.metrics().get("recall@10"), within(1e-9));
        assertThat(summary.recall()[0][2]).isCloseTo(offline.metrics().get("recall@50"), within(1e-9));

        // run again, it reads the published episodes back: the same table, nothing simulated or published
        String firstTable = table(printed);
        console.reset();
        assertThat(Crs.execute(simulate)).as(console.stderr()).isZero();
        assertThat(console.stdout()).contains("reused the " + episodes + " episodes");
        assertThat(table(console.stdout())).isEqualTo(firstTable);
        assertThat(TestKafka.readAll(platform, Topics.SIMULATION_EPISODES, episodes, Duration.ofSeconds(30)))
                .hasSize(episodes);

        // the same simulation run again (--resimulate): the same words and ranks under the same keys
        assertThat(Crs.execute(SmallRun.concat(simulate, new String[] {"--resimulate"}))).as(console.stderr()).isZero();
        List<ConsumerRecord<String, SimulationEpisode>> all = TestKafka.readAll(platform,
                Topics.SIMULATION_EPISODES, 2 * episodes, Duration.ofSeconds(30));
        assertThat(all).hasSize(2 * episodes);
        Map<String, List<SimulationEpisode>> byKey = all.stream().collect(java.util.stream.Collectors.groupingBy(
                ConsumerRecord::key, java.util.stream.Collectors.mapping(ConsumerRecord::value,
                        java.util.stream.Collectors.toList())));
        assertThat(byKey).hasSize(episodes);
        byKey.values().forEach(twice -> {
            assertThat(twice).hasSize(2);
            assertThat(twice.get(1).getTurns()).isEqualTo(twice.get(0).getTurns());
            assertThat(twice.get(1).getSuccessTurns()).isEqualTo(twice.get(0).getSuccessTurns());
        });

        // the LLM seeker through the same command, on the fake endpoint; its second run is served from the cache
        try (FakeChatServer server = new FakeChatServer()
                .responder(r -> "Not that one. Something with more suspense, please.")) {
            String[] llm = SmallRun.concat(simulate, new String[] {"--simulator", "llm", "--set",
                    "scorer.llm.base.url=" + server.baseUrl(), "--set", "scorer.llm.model=fake-seeker", "--set",
                    "scorer.llm.api.key.env=PATH"});
            llm[java.util.Arrays.asList(llm).indexOf("--out") + 1] = tmp.resolve("llm-report").toString();
            console.reset();
            assertThat(Crs.execute(llm)).as(console.stderr()).isZero();
            assertThat(console.stdout()).contains(episodes + " episodes (0 invalid)").containsPattern("seeker-v1@\\w+@fake-seeker");
            int paid = server.requests().size();
            assertThat(paid).isPositive();
            assertThat(server.requests().get(0).firstUser()).contains("<<<CONVERSATION");
            // simulated again, its seeker's replies come from the cache
            assertThat(Crs.execute(SmallRun.concat(llm, new String[] {"--resimulate"}))).as(console.stderr()).isZero();
            assertThat(console.stdout()).doesNotContain("reused the");
            assertThat(server.requests()).hasSize(paid);
        }
    }

    /** The printed per-turn table and mean turns, up to the episode count (after which the time follows). */
    private static String table(String printed) {
        return printed.substring(printed.indexOf("turn "), printed.indexOf(" episodes ("));
    }
}
