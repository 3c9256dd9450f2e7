package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.testkit.DataSet;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.Scrape;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Evaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.crsaug.testkit.FakeChatServer;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/** The thin pipeline end to end on a slice of INSPIRED (synthetic, and real where present), on a real broker with the real models. */
class PipelineRunTest {

    /** Started once for the class, closed after its last test. */
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.crsaug.testkit.DataSlices#dataSets")
    void aSliceFlowsFromIngestionToCheckpointsAndEvaluations(DataSet set, @TempDir Path tmp) throws Exception {
        Path data = DataSlices.inspiredSlice(set, tmp.resolve("data"), Map.of("train", 40, "valid", 8, "test", 8));
        String prefix = set + ".";
        Platform platform = kafka.platform(SmallRun.settings(data, tmp.resolve("state"), Map.of("topic.prefix", prefix)));
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Scrape before = Scrape.now();

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
        // each checkpoint is evaluated under both protocols, headline (strict) first in the configuration
        List<ConsumerRecord<String, Evaluation>> evaluations = TestKafka.readAll(platform, Topics.EVALUATIONS, 4,
                Duration.ofSeconds(30));
        assertThat(evaluations).hasSize(4);
        assertThat(evaluations).filteredOn(r -> r.value().getProtocol().equals("strict"))
                .extracting(r -> r.value().getCheckpointId())
                .containsExactlyInAnyOrderElementsOf(checkpoints.stream().map(ConsumerRecord::key).toList());
        assertThat(evaluations).filteredOn(r -> r.value().getProtocol().equals("lenient")).hasSize(2);
        assertThat(evaluations).allSatisfy(r -> assertThat(r.value().getMetrics())
                .containsKeys("tail_recall@10", "tail_recall@50", "coverage@50", "augmented_label_tail_share",
                        "cs@10", "cs@50"));
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("[1/5]", "[4/5]", "contexts encoded", "/s)");

        // the evaluator's gauges carry each checkpoint's test metrics; each stage counted its records
        Scrape after = Scrape.now();
        for (ConsumerRecord<String, Evaluation> r : evaluations) {
            Evaluation e = r.value();
            assertThat(after.value("crs_evaluation_metric", "checkpoint", e.getCheckpointId(), "protocol",
                    e.getProtocol(), "metric", "recall@50")).isEqualTo(e.getMetrics().get("recall@50"));
        }
        assertThat(after.delta(before, "crs_stage_records_total", "stage", "evaluator", "outcome", "ok")).isEqualTo(2.0);
        assertThat(after.delta(before, "crs_stage_records_total", "stage", "retriever", "outcome", "ok"))
                .isGreaterThanOrEqualTo(56.0);
        assertThat(after.delta(before, "crs_judge_seconds_count")).isPositive();
        assertThat(after.delta(before, "crs_trainer_round_seconds_count", "dataset", "inspired")).isEqualTo(1.0);

        // the lineage alone reproduces the two-stage model exactly
        String twoStage = rows.get(1).checkpointId();
        org.crsaug.model.training.Replay.Outcome replay = org.crsaug.model.training.Replay.replay(platform, twoStage,
                tmp.resolve("replays"));
        assertThat(replay.metricsMatch()).as("replayed metrics %s", replay.metrics()).isTrue();
        assertThat(replay.artifactMatches()).isTrue();
        assertThat(replay.metrics()).containsKey("validation_recall@50");

        // and the command line can use the checkpoints: evaluate on a dialogue file, recommend for one dialogue
        String[] connect = {"--bootstrap-servers", platform.bootstrapServers(), "--schema-registry-url",
                platform.registryUrl(), "--state-dir", tmp.resolve("state").toString(), "--set",
                "topic.prefix=" + prefix};
        ByteArrayOutputStream cli = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        System.setOut(new PrintStream(cli, true, StandardCharsets.UTF_8));
        try {
            String[] evaluate = {"evaluate", "--checkpoint", twoStage, "--file",
                    data.resolve("inspired/test.jsonl").toString()};
            assertThat(Crs.execute(SmallRun.concat(evaluate, connect))).isZero();
            Path dialogue = tmp.resolve("dialogue.json");
            java.nio.file.Files.writeString(dialogue, "{\"dialogueId\": \"cli:1\", \"turns\": [{\"role\": \"SEEKER\","
                    + " \"text\": \"Something scary with ghosts please\", \"items\": []}]}");
            assertThat(Crs.execute(SmallRun.concat(new String[] {"recommend", "--dialogue", dialogue.toString(),
                "--top", "3"}, connect))).isZero();
        } finally {
            System.setOut(oldOut);
        }
        String printed = cli.toString(StandardCharsets.UTF_8);
        // CS@k beside recall, with the collaborative model the evaluator trained, loaded rather than trained again
        assertThat(printed).contains("strict", "lenient", "checkpoint " + twoStage, "CS@10", "CS@50");
        assertThat(printed).containsPattern("(?m)^ 3\\. ");
        assertThat(ResultTable.render(rows)).contains("baseline", "two-stage", "lift", "95% interval", "test pairs");

        // S@k and the zero-shot baseline through the command, against the fake OpenAI-compatible server
        try (FakeChatServer llm = new FakeChatServer()) {
            // the judge's requests get the fake judge's scores; the zero-shot requests a title no catalogue holds
            llm.responder(r -> r.messages().get(0)[1].startsWith("You are a movie recommender")
                    ? "{\"recommendations\": [\"Not A Real Movie (1900)\", \"Not A Real Movie (1900)\"]}"
                    : FakeChatServer.chainOfThoughtReply(r));
            String[] withLlm = SmallRun.concat(connect, new String[] {"--set", "scorer.llm.base.url=" + llm.baseUrl(),
                "--set", "scorer.llm.api.key.env=PATH"});
            String[] evaluate = {"evaluate", "--checkpoint", twoStage, "--file",
                    data.resolve("inspired/test.jsonl").toString(), "--semantic-score", "llm", "--zero-shot"};
            String first = runCli(SmallRun.concat(evaluate, withLlm));
            assertThat(first).containsPattern("semantic S@10 [0-4]\\.\\d\\d  S@50 [0-4]\\.\\d\\d  \\(mean relevance 0-4 of the"
                    + " top items; judge llm \\(gpt-4o-mini, prompt relevance-v1@\\w+\\); \\d+ contexts, 0 without a usable"
                    + " reply, [1-9]\\d* judgements paid");
            assertThat(first).contains("zero-shot gpt-4o-mini (prompt zero-shot-v1@", "R@1  zero-shot   0.00",
                    "R@10 zero-shot   0.00", "0 not JSON, 0 empty");
            assertThat(first).containsPattern("titles: (\\d+) named, \\1 not in the catalogue");

            // the same evaluation again: the judgements come from the cache, only the zero-shot model is asked
            llm.resetCounts();
            String again = runCli(SmallRun.concat(new String[] {"evaluate", "--checkpoint", twoStage, "--file",
                data.resolve("inspired/test.jsonl").toString(), "--semantic-score", "llm"}, withLlm));
            assertThat(llm.requests()).isEmpty();
            assertThat(again).contains(" 0 judgements paid");
            assertThat(again.replaceAll("(?s).*(semantic S@10 \\S+  S@50 \\S+).*", "$1"))
                    .isEqualTo(first.replaceAll("(?s).*(semantic S@10 \\S+  S@50 \\S+).*", "$1"));
        }
    }

    @Test
    void aFailedEvaluationEndsTheRunWithItsReasonAndTheNextRunAsksForItAgain(@TempDir Path tmp) throws Exception {
        // Given a slice without test dialogues: its checkpoint trains, and evaluating it cannot work
        Path data = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp.resolve("data"),
                Map.of("train", 30, "valid", 6, "test", 0));
        Platform platform = kafka.platform(SmallRun.settings(data, tmp.resolve("state"),
                Map.of("topic.prefix", "no-test.")));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

        // When a run waits for that evaluation, it ends with the evaluator's reason (not at its timeout)
        assertThatThrownBy(() -> new PipelineRun(platform, quiet).run("inspired", List.of(TrainingMode.BASELINE),
                Duration.ofMinutes(8)))
                .hasMessageContaining("could not evaluate checkpoint")
                .hasMessageContaining("No test contexts with embeddings for dataset inspired")
                .hasMessageContaining("crs dlq list --stage evaluator");
        List<ConsumerRecord<String, Checkpoint>> checkpoints = TestKafka.readAll(platform, Topics.CHECKPOINTS, 1,
                Duration.ofSeconds(30));
        assertThat(checkpoints).hasSize(1);
        Checkpoint trained = checkpoints.get(0).value();

        // Then the checkpoint is a dead letter holding its record's own bytes, which re-submitting hands back
        List<ConsumerRecord<String, org.crsaug.schema.DeadLetter>> letters = TestKafka.readAll(platform,
                Topics.DEAD_LETTERS, 1, Duration.ofSeconds(30));
        assertThat(letters).singleElement().satisfies(r -> {
            assertThat(r.value().getStage()).isEqualTo("evaluator");
            assertThat(r.value().getError()).contains("No test contexts");
            assertThat(platform.valueSerde(Topics.CHECKPOINTS).deserializer().deserialize(
                    platform.config().topic(Topics.CHECKPOINTS),
                    new org.apache.kafka.common.header.internals.RecordHeaders(), r.value().getOriginalValue()))
                    .isEqualTo(trained);
        });

        // And a second run reuses the trained round, whose checkpoint the evaluator's group has moved past: the
        // run asks for its evaluation and reports the same failure instead of waiting for a record never coming
        assertThatThrownBy(() -> new PipelineRun(platform, quiet).run("inspired", List.of(TrainingMode.BASELINE),
                Duration.ofMinutes(8)))
                .hasMessageContaining("could not evaluate checkpoint " + trained.getCheckpointId())
                .hasMessageContaining("No test contexts");
        assertThat(TestKafka.readAll(platform, Topics.CHECKPOINTS, 1, Duration.ofSeconds(30))).hasSize(1);
    }

    @Test
    void contextsTheJudgeGivesUpOnAreNamedAndTheRunGoesOn(@TempDir Path tmp) throws Exception {
        // Given a slice whose first training dialogue opens with words that make every judge reply unreadable
        Path data = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp.resolve("data"),
                Map.of("train", 30, "valid", 6, "test", 6));
        Path train = data.resolve("inspired/train.jsonl");
        List<String> lines = new java.util.ArrayList<>(java.nio.file.Files.readAllLines(train));
        lines.set(0, lines.get(0).replaceFirst("\\{\"text\": \"", "{\"text\": \"UNREADABLE "));
        assertThat(lines.get(0)).contains("UNREADABLE");
        java.nio.file.Files.write(train, lines);
        try (FakeChatServer llm = new FakeChatServer()) {
            llm.responder(r -> r.firstUser().contains("UNREADABLE") ? "no idea, sorry"
                    : FakeChatServer.chainOfThoughtReply(r));
            Platform platform = kafka.platform(SmallRun.settings(data, tmp.resolve("state"), Map.of(
                    "topic.prefix", "given-up.", "scorer.judge", "llm", "scorer.llm.base.url", llm.baseUrl(),
                    "scorer.llm.api.key.env", "PATH")));
            ByteArrayOutputStream progress = new ByteArrayOutputStream();

            // When the run waits for every training context's labels
            List<PipelineRun.Row> rows = new PipelineRun(platform, new PrintStream(progress, true,
                    StandardCharsets.UTF_8)).run("inspired", List.of(TrainingMode.BASELINE, TrainingMode.TWO_STAGE),
                    Duration.ofMinutes(8));

            // Then the contexts the judge dead-lettered count as done and are named, and the run trains and
            // evaluates (before, it waited out its timeout for their labels)
            assertThat(rows).extracting(PipelineRun.Row::mode).containsExactly("baseline", "two-stage");
            assertThat(progress.toString(StandardCharsets.UTF_8)).containsPattern("given up \\(dead letters, crs dlq"
                    + " list shows why\\): 0 contexts not encoded, [1-9]\\d* train contexts not labelled");
            assertThat(TestKafka.readAll(platform, Topics.DEAD_LETTERS, 1, Duration.ofSeconds(30)))
                    .isNotEmpty().allSatisfy(r -> {
                        assertThat(r.value().getStage()).isEqualTo("scorer");
                        assertThat(r.value().getSourceTopic()).isEqualTo(platform.config().topic(Topics.CANDIDATES));
                    });
        }
    }

    /** Runs a crs command in this JVM and returns what it printed; it must succeed. */
    private static String runCli(String[] args) {
        ByteArrayOutputStream cli = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        System.setOut(new PrintStream(cli, true, StandardCharsets.UTF_8));
        try {
            assertThat(Crs.execute(args)).isZero();
        } finally {
            System.setOut(oldOut);
        }
        return cli.toString(StandardCharsets.UTF_8);
    }
}
