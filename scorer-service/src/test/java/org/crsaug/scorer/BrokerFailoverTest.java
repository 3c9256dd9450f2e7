package org.crsaug.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.ScoredPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Three brokers, replication 3, min ISR 2: losing one broker mid-run loses and duplicates nothing. */
class BrokerFailoverTest {

    private static final int ITEMS_PER_CONTEXT = 5;
    private static final Duration WAIT = Duration.ofSeconds(120);
    /** Started once for the class, closed after its last test. */
    @RegisterExtension
    static final TestKafka kafka = new TestKafka(3);

    private static Candidates candidates(String contextId) {
        List<Candidate> items = new ArrayList<>();
        for (int i = 0; i < ITEMS_PER_CONTEXT; i++) {
            items.add(Candidate.newBuilder().setItemId("i" + i).setRank(i).setRetrievalScore(1f - i / 10f)
                    .setSource("semantic").build());
        }
        return Candidates.newBuilder().setContextId(contextId).setDialogueId(contextId.split("#")[0])
                .setEncoderId("e").setContextText("Seeker: something").setItems(items).build();
    }

    private static void sendBatch(Platform platform, int from, int to) {
        for (int c = from; c < to; c++) {
            TestKafka.send(platform, Topics.CANDIDATES, "d" + c + "#1", candidates("d" + c + "#1"));
        }
    }

    @Test
    void aBrokerStoppedAndRestartedMidRunCostsNoPairAndDuplicatesNone() throws Exception {
        // Given a scorer on a three-broker cluster
        Platform platform = kafka.platform(Map.of("scorer.retrieval.top.n", "2"));
        try (ScorerService scorer = ScorerService.create(platform)) {
            scorer.start();
            assertThat(scorer.awaitReady(WAIT)).isTrue();

            // When candidates keep arriving while broker 1 goes down and comes back
            sendBatch(platform, 0, 20);
            TestKafka.readAll(platform, Topics.AUGMENTED_LABELS, 5, WAIT);
            kafka.stopBroker(1);
            sendBatch(platform, 20, 40);
            TestKafka.readAll(platform, Topics.AUGMENTED_LABELS, 25, WAIT);
            kafka.startBroker(1);
            sendBatch(platform, 40, 60);

            // Then every pair is scored exactly once and every context has its labels, once
            List<ConsumerRecord<String, AugmentedLabels>> labels = TestKafka.readAll(platform,
                    Topics.AUGMENTED_LABELS, 60, WAIT);
            List<ConsumerRecord<String, ScoredPair>> pairs = TestKafka.readAll(platform, Topics.SCORED_PAIRS,
                    60 * ITEMS_PER_CONTEXT, WAIT);
            assertThat(labels).hasSize(60);
            assertThat(labels.stream().map(ConsumerRecord::key).collect(Collectors.toSet())).hasSize(60);
            assertThat(labels).allSatisfy(r -> assertThat(r.value().getLabels()).hasSize(2));
            assertThat(pairs).hasSize(60 * ITEMS_PER_CONTEXT);
            assertThat(pairs.stream().map(ConsumerRecord::key).collect(Collectors.toSet()))
                    .hasSize(60 * ITEMS_PER_CONTEXT);
            assertThat(scorer.failure()).isNull();
        }
    }
}
