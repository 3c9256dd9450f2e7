package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.retriever.CentringSample;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same command on the same data gives the same labels and the same numbers: two fresh runs whose
 * topics have 1 and 3 partitions (so dialogues reach the retriever in different orders), and a second
 * run on the first one's state. Before the context mean was fixed from a sample chosen by key, the
 * labels of the two fresh runs differed (a running mean followed the delivery order).
 */
class ReproducibleRunTest {

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    private static final List<TrainingMode> MODES = List.of(TrainingMode.BASELINE, TrainingMode.TWO_STAGE);

    @Test
    void freshRunsWithOneAndThreePartitionsAndARerunGiveTheSameLabelsAndNumbers(@TempDir Path tmp) throws Exception {
        // Given a slice whose training contexts are enough to fix a context mean (the centring the default uses)
        Path data = DataSlices.inspiredSlice(tmp.resolve("data"), Map.of("train", 100, "valid", 10, "test", 10));
        Platform one = kafka.platform(SmallRun.settings(data, tmp.resolve("one"),
                Map.of("topic.prefix", "one.", "topic.partitions", "1")));
        Platform three = kafka.platform(SmallRun.settings(data, tmp.resolve("three"),
                Map.of("topic.prefix", "three.", "topic.partitions", "3")));

        // When the pipeline runs on each from scratch
        List<PipelineRun.Row> rowsOne = run(one);
        List<PipelineRun.Row> rowsThree = run(three);

        // Then both fixed the same context mean, bit for bit
        String meanKey = "|CONTEXT|" + CentringSample.MEAN_ID;
        Map<String, String> meansOne = filterKeys(TestKafka.latestRawValues(one, one.config().topic(Topics.EMBEDDINGS)),
                meanKey);
        assertThat(meansOne).as("the context mean was fixed (enough training contexts)").hasSize(1);
        assertThat(filterKeys(TestKafka.latestRawValues(three, three.config().topic(Topics.EMBEDDINGS)), meanKey))
                .isEqualTo(meansOne);
        // ... the same candidates and byte-identical augmented labels for every context
        Map<String, String> candidates = TestKafka.latestRawValues(one, one.config().topic(Topics.CANDIDATES));
        assertThat(candidates).hasSizeGreaterThan(200);
        assertThat(TestKafka.latestRawValues(three, three.config().topic(Topics.CANDIDATES))).isEqualTo(candidates);
        Map<String, String> labels = TestKafka.latestRawValues(one, one.config().topic(Topics.AUGMENTED_LABELS));
        assertThat(labels).isNotEmpty();
        assertThat(TestKafka.latestRawValues(three, three.config().topic(Topics.AUGMENTED_LABELS))).isEqualTo(labels);
        // ... and the same numbers for both modes
        assertThat(metrics(rowsThree)).isEqualTo(metrics(rowsOne));

        // When the command runs again on the first run's state, Then it prints the same table
        assertThat(metrics(run(one))).isEqualTo(metrics(rowsOne));
    }

    private static List<PipelineRun.Row> run(Platform platform) throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        return new PipelineRun(platform, new PrintStream(progress, true, StandardCharsets.UTF_8))
                .run("inspired", MODES, Duration.ofMinutes(8));
    }

    private static Map<String, Map<String, Double>> metrics(List<PipelineRun.Row> rows) {
        return rows.stream().collect(Collectors.toMap(PipelineRun.Row::mode, PipelineRun.Row::metrics));
    }

    private static Map<String, String> filterKeys(Map<String, String> values, String suffix) {
        return values.entrySet().stream().filter(e -> e.getKey().endsWith(suffix))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
