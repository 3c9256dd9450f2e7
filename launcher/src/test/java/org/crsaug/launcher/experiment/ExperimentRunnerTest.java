package org.crsaug.launcher.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.testkit.DataSet;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Checkpoint;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/** A tiny experiment end to end: two seeds, two label variants, sweeps, report files. */
class ExperimentRunnerTest {

    /** Started once for the class, closed after its last test. */
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.crsaug.testkit.DataSlices#dataSets")
    void everyComparedModelIsTrainedPerSeedEvaluatedAndTraceableToACheckpoint(DataSet set, @TempDir Path tmp)
            throws Exception {
        Path data = DataSlices.inspiredSlice(set, tmp.resolve("data"), Map.of("train", 30, "valid", 6, "test", 8));
        String prefix = set + "-";
        Platform platform = kafka.platform(Map.of(
                "topic.prefix", prefix,
                "data.dir", data.toString(),
                "state.dir", tmp.resolve("state").toString(),
                "catalogue", "all",
                "trainer.pretrain.epochs", "1",
                "trainer.finetune.epochs", "2",
                "retriever.top.k", "10"));
        ExperimentPlan plan = new ExperimentPlan("inspired", 2, List.of("semantic"),
                List.of(TrainingMode.BASELINE, TrainingMode.TWO_STAGE), List.of(0.0, 0.2), List.of(0.5, 1.0),
                List.of(new ExperimentPlan.LabelVariant("top5", Map.of()),
                        new ExperimentPlan.LabelVariant("top2", Map.of("scorer.retrieval.top.n", "2")),
                        ExperimentRunner.selfDistillation()),
                List.of("all", "metadata"), 200);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        ExperimentRunner.Outcome outcome = new ExperimentRunner(platform,
                new PrintStream(progress, true, StandardCharsets.UTF_8)).run(plan, Duration.ofMinutes(5));

        // all titles: 3 variants x 2 seeds x (2 modes + 2 alphas + 2 sizes), where alpha 0.2 (the configured
        // one) and size 1 are the two-stage model itself, listed again rather than retrained; the metadata
        // catalogue repeats only the 2 modes
        assertThat(outcome.runs()).hasSize(36 + 12);
        assertThat(outcome.runs().stream().map(RunResult::checkpointId).distinct()).hasSize(24 + 12);
        assertThat(outcome.runs()).filteredOn(r -> r.setting().equals("0.20"))
                .allSatisfy(alpha -> assertThat(outcome.runs()).anySatisfy(r -> {
                    assertThat(r.setting()).isEqualTo("two-stage");
                    assertThat(r.checkpointId()).isEqualTo(alpha.checkpointId());
                }));
        // the metadata catalogue drops items without descriptive text, and with them some test pairs
        int allPairs = outcome.runs().stream().filter(r -> r.catalogue().equals("all")).findFirst().orElseThrow()
                .ranks().length;
        int metadataPairs = outcome.runs().stream().filter(r -> r.catalogue().equals("metadata")).findFirst()
                .orElseThrow().ranks().length;
        assertThat(metadataPairs).isPositive().isLessThanOrEqualTo(allPairs);
        assertThat(outcome.labelQuality()).containsOnlyKeys("top5", "top2", "self-distillation");
        assertThat(outcome.labelQuality().get("self-distillation").labelledContexts()).isPositive();
        assertThat(outcome.labelQuality().get("top5").labelsPerContext())
                .isGreaterThan(outcome.labelQuality().get("top2").labelsPerContext());
        // all runs of one catalogue face the same test pairs, so their ranks line up for paired tests
        assertThat(outcome.runs().stream().filter(r -> r.catalogue().equals("all")).map(r -> r.ranks().length)
                .collect(Collectors.toSet())).hasSize(1);

        ExperimentReport report = new ExperimentReport(outcome);
        assertThat(report.rows()).hasSize(18 + 6);
        assertThat(report.rows()).filteredOn(r -> r.setting().equals("two-stage"))
                .allSatisfy(r -> assertThat(r.vsBaseline50()).isNotNull());
        Path html = report.write(tmp.resolve("report"));
        assertThat(Files.readString(html)).contains("Baseline vs two-stage", "top2", "<img");
        assertThat(tmp.resolve("report/recall-vs-alpha.png")).isNotEmptyFile();
        assertThat(tmp.resolve("report/recall-vs-data-size.png")).isNotEmptyFile();
        assertThat(tmp.resolve("report/report.md")).content().contains("| top5 | all | " + allPairs + " | semantic | baseline | 2 |",
                "| top5 | metadata | " + metadataPairs + " | semantic | two-stage | 2 |");

        // every checkpoint named in the report was published, each variant in its own namespace
        List<ConsumerRecord<String, Checkpoint>> base = TestKafka.readAll(platform, Topics.CHECKPOINTS, 12,
                Duration.ofSeconds(30));
        Platform top2 = Platform.connect(platform.config().with("topic.prefix", prefix + "exp-top2-"));
        List<ConsumerRecord<String, Checkpoint>> variant = TestKafka.readAll(top2, Topics.CHECKPOINTS, 12,
                Duration.ofSeconds(30));
        top2.close();
        // the self-distillation candidates came from the baseline recommender, not the retriever
        Platform sd = Platform.connect(platform.config().with("topic.prefix", prefix + "exp-self-distillation-"));
        assertThat(TestKafka.readAll(sd, Topics.CANDIDATES, 1, Duration.ofSeconds(30)))
                .allSatisfy(r -> assertThat(r.value().getItems()).allSatisfy(c ->
                        assertThat(c.getSource()).isEqualTo("recommender")));
        variant = new java.util.ArrayList<>(variant);
        variant.addAll(TestKafka.readAll(sd, Topics.CHECKPOINTS, 13, Duration.ofSeconds(30)));
        sd.close();
        Set<String> published = new java.util.HashSet<>();
        base.forEach(r -> published.add(r.key()));
        variant.forEach(r -> published.add(r.key()));
        assertThat(published).containsAll(outcome.runs().stream().map(RunResult::checkpointId).toList());
    }
}
