package org.crsaug.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.ScoredPair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The judging topology in isolation; serdes come from a real schema registry. */
class ScorerTopologyTest {

    private static TestKafka kafka;
    private static Platform platform;

    @BeforeAll
    static void start() {
        kafka = new TestKafka();
        platform = kafka.platform();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static TopologyTestDriver driver(RelevanceJudge judge) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "scorer-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        return new TopologyTestDriver(ScorerTopology.build(platform, judge, 3.5f), props);
    }

    @Test
    void everyCandidateIsScoredAndOnlyThoseAboveTheThresholdBecomeLabels() {
        try (TopologyTestDriver driver = driver(new RetrievalOnlyJudge(2))) {
            TestInputTopic<String, Candidates> in = driver.createInputTopic(platform.config().topic(Topics.CANDIDATES),
                    Serdes.String().serializer(), platform.valueSerde(Topics.CANDIDATES).serializer());
            TestOutputTopic<String, ScoredPair> pairs = driver.createOutputTopic(
                    platform.config().topic(Topics.SCORED_PAIRS), Serdes.String().deserializer(),
                    platform.valueSerde(Topics.SCORED_PAIRS).deserializer());
            TestOutputTopic<String, AugmentedLabels> labels = driver.createOutputTopic(
                    platform.config().topic(Topics.AUGMENTED_LABELS), Serdes.String().deserializer(),
                    platform.valueSerde(Topics.AUGMENTED_LABELS).deserializer());

            Candidates input = RetrievalOnlyJudgeTest.candidates(6);
            input.getItems().stream().filter(c -> c.getItemId().equals("i1")).forEach(c -> c.setSource("collaborative"));
            in.pipeInput("c#1", input);

            assertThat(pairs.readKeyValuesToList()).hasSize(6)
                    .allSatisfy(kv -> assertThat(kv.key).isEqualTo("c#1|" + kv.value.getItemId()));
            AugmentedLabels l = labels.readValue();
            assertThat(l.getContextId()).isEqualTo("c#1");
            assertThat(l.getLabels()).extracting(x -> x.getItemId()).containsExactly("i0", "i1");
            assertThat(l.getThreshold()).isEqualTo(3.5f);
            assertThat(l.getCandidateCount()).isEqualTo(6);
            // each label carries its provenance (an export pinned to this record reads nothing newer)
            assertThat(l.getEncoderId()).isEqualTo("e");
            assertThat(l.getLabels()).extracting(x -> x.getSource()).containsExactly("semantic", "collaborative");
            assertThat(l.getLabels()).extracting(x -> x.getPromptVersion()).containsOnly("");
            assertThat(labels.isEmpty()).isTrue();
        }
    }

    @Test
    void aJudgeThatScoresSomethingItWasNotShownIsRejectedToTheDeadLetterTopic() {
        RelevanceJudge rogue = new RelevanceJudge() {
            @Override
            public String id() {
                return "rogue";
            }

            @Override
            public String version() {
                return "1";
            }

            @Override
            public Verdict judge(Candidates candidates, JudgeInputs inputs) {
                // as many scores as candidates, but one for an item it was never shown
                return Verdict.uncached(java.util.stream.Stream.of("i0", "i1", "not-a-candidate")
                        .map(id -> ScoredPair.newBuilder().setContextId(candidates.getContextId()).setItemId(id)
                                .setScore(4f).setJudgeId("rogue").setJudgeVersion("1").build())
                        .toList());
            }
        };
        try (TopologyTestDriver driver = driver(rogue)) {
            TestInputTopic<String, Candidates> in = driver.createInputTopic(platform.config().topic(Topics.CANDIDATES),
                    Serdes.String().serializer(), platform.valueSerde(Topics.CANDIDATES).serializer());
            TestOutputTopic<String, DeadLetter> dead = driver.createOutputTopic(
                    platform.config().topic(Topics.DEAD_LETTERS), Serdes.String().deserializer(),
                    platform.valueSerde(Topics.DEAD_LETTERS).deserializer());
            TestOutputTopic<String, AugmentedLabels> labels = driver.createOutputTopic(
                    platform.config().topic(Topics.AUGMENTED_LABELS), Serdes.String().deserializer(),
                    platform.valueSerde(Topics.AUGMENTED_LABELS).deserializer());

            Candidates input = RetrievalOnlyJudgeTest.candidates(3);
            in.pipeInput("c#1", input);

            DeadLetter letter = dead.readValue();
            assertThat(letter.getStage()).isEqualTo("scorer");
            assertThat(letter.getError()).contains("not-a-candidate");
            assertThat(letter.getSourceTopic()).isEqualTo(platform.config().topic(Topics.CANDIDATES));
            // the candidates as their record's bytes: re-submitting the letter hands the scorer a record it reads
            assertThat(platform.valueSerde(Topics.CANDIDATES).deserializer().deserialize(letter.getSourceTopic(),
                    new org.apache.kafka.common.header.internals.RecordHeaders(), letter.getOriginalValue()))
                    .isEqualTo(input);
            assertThat(labels.isEmpty()).isTrue();
        }
    }
}
