package org.crsaug.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.platform.deadletter.DeadLetterStore;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.ScoredPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scorer as a running service on a real broker, fed good and undecodable records. */
class ScorerServiceTest {

    /** Started once for the class, closed after its last test. */
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Test
    void undecodableCandidatesAreDeadLetteredAndTheStreamGoesOn() throws Exception {
        // Given a running scorer
        Platform platform = kafka.platform(Map.of("scorer.retrieval.top.n", "2"));
        try (ScorerService scorer = ScorerService.create(platform)) {
            scorer.start();
            assertThat(scorer.awaitReady(Duration.ofSeconds(60))).isTrue();

            // When garbage, a record with an unknown schema id, and then a good record arrive
            String topic = platform.config().topic(Topics.CANDIDATES);
            TestKafka.sendRaw(platform, topic, "bad#1", "not avro at all".getBytes(StandardCharsets.UTF_8));
            TestKafka.sendRaw(platform, topic, "bad#2", new byte[] {0, 0, 0, 0x7f, 0x7f, 1, 2, 3});
            TestKafka.send(platform, Topics.CANDIDATES, "c#1", RetrievalOnlyJudgeTest.candidates(5));

            // Then both bad records are dead letters with their reasons and bytes, and the good one is judged
            List<ConsumerRecord<String, DeadLetter>> letters = TestKafka.readAll(platform, Topics.DEAD_LETTERS, 2,
                    Duration.ofSeconds(60));
            assertThat(letters).hasSize(2);
            assertThat(letters).extracting(r -> r.value().getError())
                    .anySatisfy(e -> assertThat(e).contains("magic byte"))
                    .anySatisfy(e -> assertThat(e).contains("schema id"));
            assertThat(letters).allSatisfy(r -> {
                assertThat(r.value().getSourceTopic()).isEqualTo(topic);
                assertThat(r.value().getOriginalValue()).isNotNull();
            });
            List<ConsumerRecord<String, AugmentedLabels>> labels = TestKafka.readAll(platform,
                    Topics.AUGMENTED_LABELS, 1, Duration.ofSeconds(60));
            assertThat(labels).singleElement().satisfies(r -> assertThat(r.value().getLabels()).hasSize(2));
            List<ConsumerRecord<String, ScoredPair>> pairs = TestKafka.readAll(platform, Topics.SCORED_PAIRS, 5,
                    Duration.ofSeconds(60));
            assertThat(pairs).hasSize(5);
            assertThat(scorer.failure()).isNull();

            // And re-submitting a letter puts its original bytes back on the source topic, where the
            // scorer rejects them again: the letter is neither lost nor silently accepted
            DeadLetter garbage = letters.stream().map(ConsumerRecord::value)
                    .filter(d -> d.getError().contains("magic byte")).findFirst().orElseThrow();
            DeadLetterStore.Resubmitted r = DeadLetterStore.resubmit(platform, List.of(garbage));
            assertThat(r.toTopics()).isEqualTo(1);
            List<ConsumerRecord<String, DeadLetter>> again = TestKafka.readAll(platform, Topics.DEAD_LETTERS, 3,
                    Duration.ofSeconds(60));
            assertThat(again).hasSize(3);
            assertThat(again).extracting(ConsumerRecord::value)
                    .filteredOn(d -> d.getOriginalValue().equals(garbage.getOriginalValue()))
                    .extracting(DeadLetter::getOffset).hasSize(2).doesNotHaveDuplicates();
        }
    }
}
