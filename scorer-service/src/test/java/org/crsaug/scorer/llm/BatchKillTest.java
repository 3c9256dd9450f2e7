package org.crsaug.scorer.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.crsaug.scorer.llm.BatchModeTest.K;
import static org.crsaug.scorer.llm.BatchModeTest.WAIT;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.JudgeBatch;
import org.crsaug.schema.ScoredPair;
import org.crsaug.scorer.ScorerMain;
import org.crsaug.scorer.ScorerService;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.ChildJvm;
import org.crsaug.testkit.FakeChatServer;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A batch-mode scorer run as its own process ({@code ScorerMain} in a {@link ChildJvm}) and killed with
 * SIGKILL at the two points where a batch is at stake: while its recorded batch is in progress, and after the
 * API created its batch but before the scorer learnt (and recorded) the batch's id. A scorer restarted on the
 * same topics must then poll exactly that batch, create none, make no chat call for its pairs, and score every
 * pair exactly once (read_committed, counted per key).
 */
class BatchKillTest {

    private static final String KEY = "sk-batch-kill";
    private static final int CONTEXTS = 6;

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Test
    void aScorerKilledWhileItsBatchIsInProgressPollsTheSameBatchAfterARestart() throws Exception {
        try (FakeChatServer server = new FakeChatServer()) {
            // Given a scorer process whose batch was created, recorded and polled while in progress
            Map<String, String> settings = BatchModeTest.settings(server, "k1-", Map.of());
            Platform platform = kafka.platform(settings);
            BatchModeTest.backlog(platform, "k", CONTEXTS);
            server.batches().hold(true);
            ChildJvm child = start(platform, settings, "batch-kill-in-progress.log");
            String batchId;
            try {
                batchId = Await.value("the child's batch polled while in progress", WAIT, () -> {
                    child.checkAlive();
                    List<String> ids = server.batches().batchIds();
                    return ids.size() == 1 && server.batches().polls(ids.get(0)) >= 2 ? ids.get(0) : null;
                });
                // When it is killed with SIGKILL
                child.kill();
            } finally {
                child.process().destroyForcibly();
            }
            assertThat(onlyJob(platform).getState()).isEqualTo("submitted");
            int pollsBeforeRestart = server.batches().polls(batchId);

            // ... and a scorer started again polls on; the batch completes only once the restart polled it
            ScorerService restarted = BatchModeTest.scorer(platform, server);
            restarted.start();
            List<ConsumerRecord<String, ScoredPair>> pairs;
            try {
                Await.until("the restarted scorer polling the batch", WAIT,
                        () -> server.batches().polls(batchId) > pollsBeforeRestart);
                server.batches().hold(false);
                pairs = TestKafka.readAll(platform, Topics.SCORED_PAIRS, CONTEXTS * K, WAIT);
                assertThat(restarted.batchesSubmitted()).isZero();
            } finally {
                restarted.stop();
            }

            // Then the same batch was polled to its end, no second one created, no chat call made
            assertOnceFromOneBatch(platform, server, batchId, pairs);
        }
    }

    @Test
    void aScorerKilledBetweenTheBatchsCreationAndItsRecordAdoptsThatBatchAfterARestart() throws Exception {
        try (FakeChatServer server = new FakeChatServer()) {
            // Given a scorer process whose batch the API has created but whose answer (the batch id) is held
            Map<String, String> settings = BatchModeTest.settings(server, "k2-",
                    Map.of("scorer.llm.batch.claim.timeout.ms", "3000"));
            Platform platform = kafka.platform(settings);
            BatchModeTest.backlog(platform, "c", CONTEXTS);
            server.batches().holdCreateAnswers();
            ChildJvm child = start(platform, settings, "batch-kill-at-create.log");
            try {
                Await.until("the child's batch created at the API", WAIT, () -> {
                    child.checkAlive();
                    return server.batches().created() == 1;
                });
                // When it is killed with SIGKILL before it heard the batch id
                child.kill();
            } finally {
                child.process().destroyForcibly();
                server.batches().answerCreates();
            }
            String batchId = server.batches().batchIds().get(0);
            JudgeBatch intent = onlyJob(platform);
            assertThat(intent.getState()).isEqualTo("intended");
            assertThat(intent.getBatchId()).isEmpty();

            // ... and a scorer is started again
            ScorerService restarted = BatchModeTest.scorer(platform, server);
            restarted.start();
            List<ConsumerRecord<String, ScoredPair>> pairs;
            try {
                pairs = TestKafka.readAll(platform, Topics.SCORED_PAIRS, CONTEXTS * K, WAIT);
                assertThat(restarted.batchesSubmitted()).isZero();
            } finally {
                restarted.stop();
            }

            // Then it found the batch by the job's id in its metadata and adopted it: one batch, no chat call
            assertOnceFromOneBatch(platform, server, batchId, pairs);
            assertThat(onlyJob(platform).getIntentId()).isEqualTo(intent.getIntentId());
        }
    }

    private static ChildJvm start(Platform platform, Map<String, String> settings, String log) {
        Map<String, String> set = new HashMap<>(settings);
        set.put("bootstrap.servers", platform.bootstrapServers());
        set.put("schema.registry.url", platform.registryUrl());
        set.put("state.dir", platform.config().getPath("state.dir").resolve("killed-batch-scorer").toString());
        set.put("topic.replication.factor", platform.config().get("topic.replication.factor"));
        return ChildJvm.start(ScorerMain.class.getName(), ChildJvm.setArgs(set), Map.of("OPENAI_API_KEY", KEY), log);
    }

    /** The namespace's one job on the ledger, as last written. */
    private static JudgeBatch onlyJob(Platform platform) {
        Map<String, JudgeBatch> jobs = BatchModeTest.latest(TestKafka.readAll(platform, Topics.JUDGE_BATCHES, 1,
                WAIT));
        assertThat(jobs).hasSize(1);
        return jobs.values().iterator().next();
    }

    private static void assertOnceFromOneBatch(Platform platform, FakeChatServer server, String batchId,
            List<ConsumerRecord<String, ScoredPair>> pairs) {
        assertThat(server.batches().created()).as("batches created").isEqualTo(1);
        assertThat(server.batches().batchIds()).containsExactly(batchId);
        assertThat(server.batches().linesAnswered()).as("request lines answered").isEqualTo(CONTEXTS);
        assertThat(server.requests()).as("chat calls").isEmpty();
        Map<String, Long> perKey = pairs.stream().collect(Collectors.groupingBy(ConsumerRecord::key,
                Collectors.counting()));
        assertThat(perKey).hasSize(CONTEXTS * K).allSatisfy((key, n) -> assertThat(n).as(key).isEqualTo(1L));
        assertThat(pairs).allSatisfy(r -> assertThat(r.value().getFromCache()).isTrue());
        assertThat(TestKafka.readAll(platform, Topics.JUDGEMENTS, CONTEXTS * K, WAIT))
                .extracting(ConsumerRecord::key).hasSize(CONTEXTS * K).doesNotHaveDuplicates();
        JudgeBatch job = onlyJob(platform);
        assertThat(job.getState()).isEqualTo("done");
        assertThat(job.getBatchId()).isEqualTo(batchId);
        assertThat(job.getNote()).isEmpty();
    }
}
