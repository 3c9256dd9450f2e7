package org.crsaug.scorer.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Item;
import org.crsaug.schema.JudgeBatch;
import org.crsaug.schema.ScoredPair;
import org.crsaug.scorer.ScorerService;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.FakeChatServer;
import org.crsaug.testkit.Scrape;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * scorer.llm.mode=batch against the fake server's Batch API on a real broker: a backlog judged
 * through batches and then scored from the cache, lines that fail or expire judged online, a
 * scorer stopped while its batch is open resuming the same batch, and two replicas sharing one batch.
 * Kills with SIGKILL: {@link BatchKillTest}.
 */
class BatchModeTest {

    static final Duration WAIT = Duration.ofSeconds(90);
    static final int K = 5;

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Test
    void aBacklogIsJudgedThroughTwoBatchesWithNoOnlineCallAndBatchPricedCost() throws Exception {
        try (FakeChatServer server = new FakeChatServer()) {
            // Given a backlog of 40 contexts with 5 candidates each and batch files of at most 20 requests
            Platform platform = platform(server, "b1-", Map.of("scorer.llm.batch.max.requests", "20"));
            List<Candidates> backlog = backlog(platform, "a", 40);
            Scrape before = Scrape.now();

            // When the scorer runs in batch mode
            ScorerService scorer = scorer(platform, server);
            scorer.start();
            List<ConsumerRecord<String, ScoredPair>> pairs;
            try {
                pairs = TestKafka.readAll(platform, Topics.SCORED_PAIRS, 40 * K, WAIT);
            } finally {
                scorer.stop();
            }

            // Then two batches answered all 40 requests, the chat endpoint was never called, and every
            // pair was judged exactly once and then scored from the cache with the fake judge's score
            assertThat(server.batches().created()).isEqualTo(2);
            assertThat(server.batches().linesAnswered()).isEqualTo(40);
            assertThat(server.requests()).isEmpty();
            assertThat(TestKafka.readAll(platform, Topics.JUDGEMENTS, 40 * K, WAIT)).hasSize(40 * K)
                    .extracting(ConsumerRecord::key).doesNotHaveDuplicates();
            assertThat(pairs).hasSize(40 * K);
            assertThat(pairs).allSatisfy(r -> {
                assertThat(r.value().getFromCache()).isTrue();
                assertThat(r.value().getScore()).isEqualTo((float) FakeChatServer.scoreFor(title(r.value()
                        .getItemId())));
            });
            assertThat(pairs.stream().map(ConsumerRecord::key).collect(Collectors.toSet())).hasSize(40 * K);
            // ... each batch on the ledger as submitted, then done with nothing left out
            Map<String, JudgeBatch> ledger = latest(TestKafka.readAll(platform, Topics.JUDGE_BATCHES, 4, WAIT));
            assertThat(ledger.values()).extracting(JudgeBatch::getBatchId)
                    .containsExactlyInAnyOrderElementsOf(server.batches().batchIds());
            assertThat(ledger.values()).allSatisfy(b -> {
                assertThat(b.getState()).isEqualTo("done");
                assertThat(b.getNote()).isEmpty();
                assertThat(b.getRequests()).hasSize(20);
            });
            // ... and the tokens were charged at the batch price under mode=batch, none online
            Scrape after = Scrape.now();
            double prompt = after.delta(before, "crs_llm_tokens_total", "purpose", "judge", "type", "prompt");
            double completion = after.delta(before, "crs_llm_tokens_total", "purpose", "judge", "type", "completion");
            assertThat(prompt).isGreaterThan(1000);
            assertThat(after.delta(before, "crs_llm_cost_usd_total", "purpose", "judge", "mode", "batch"))
                    .isCloseTo((prompt * 0.15 + completion * 0.60) / 1e6 * 0.5, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(after.delta(before, "crs_llm_cost_usd_total", "purpose", "judge", "mode", "online")).isZero();
        }
    }

    @Test
    void failedAndExpiredLinesAreJudgedOnlineAndNoted() throws Exception {
        try (FakeChatServer server = new FakeChatServer()) {
            // Given six contexts in one batch whose first context's line fails, and a second run's batch expiring
            Platform platform = platform(server, "b2-", Map.of());
            List<Candidates> first = backlog(platform, "f", 6);
            String failingKey = customId(platform, first.get(0));
            server.batches().failLines(failingKey::equals);

            ScorerService scorer = scorer(platform, server);
            scorer.start();
            try {
                TestKafka.readAll(platform, Topics.SCORED_PAIRS, 6 * K, WAIT);
            } finally {
                scorer.stop();
            }
            // Then the failed line's context was judged with one online call, the other five by the batch
            assertThat(server.requests()).hasSize(1)
                    .allSatisfy(r -> assertThat(r.firstUser()).contains(first.get(0).getContextText()));
            assertThat(server.batches().linesAnswered()).isEqualTo(5);
            JudgeBatch done = latest(TestKafka.readAll(platform, Topics.JUDGE_BATCHES, 2, WAIT)).values().iterator()
                    .next();
            assertThat(done.getNote()).contains("5 pair(s) left to online judging").contains(failingKey)
                    .contains("HTTP 500");

            // When six more contexts arrive for a restarted scorer and their batch expires after two answered lines
            server.resetCounts();
            server.batches().failLines(id -> false).expireNext(2);
            backlog(platform, "e", 6);
            ScorerService again = scorer(platform, server);
            again.start();
            List<ConsumerRecord<String, ScoredPair>> pairs;
            try {
                pairs = TestKafka.readAll(platform, Topics.SCORED_PAIRS, 12 * K, WAIT);
            } finally {
                again.stop();
            }
            // Then the two answered lines were kept, the four expired ones judged online, every pair scored once
            assertThat(server.batches().created()).isEqualTo(2);
            assertThat(server.requests()).hasSize(4);
            assertThat(pairs.stream().map(ConsumerRecord::key).collect(Collectors.toSet())).hasSize(12 * K);
            assertThat(TestKafka.readAll(platform, Topics.JUDGEMENTS, 12 * K, WAIT)).hasSize(12 * K);
            Map<String, JudgeBatch> ledger = latest(TestKafka.readAll(platform, Topics.JUDGE_BATCHES, 4, WAIT));
            assertThat(ledger.values()).filteredOn(b -> b.getBatchId().equals(server.batches().batchIds().get(1)))
                    .singleElement().extracting(JudgeBatch::getNote).asString()
                    .contains("20 pair(s) left to online judging").contains("batch_expired");
        }
    }

    @Test
    void aScorerStoppedWhileItsBatchIsOpenResumesTheSameBatchAfterARestart() throws Exception {
        try (FakeChatServer server = new FakeChatServer()) {
            // Given a scorer whose batch is created and stays in progress
            Platform platform = platform(server, "b3-", Map.of());
            backlog(platform, "r", 4);
            server.batches().hold(true);
            ScorerService scorer = scorer(platform, server);
            scorer.start();
            String batchId;
            try {
                Await.until("the batch polled while in progress", WAIT, () -> server.batches().created() == 1
                        && server.batches().polls(server.batches().batchIds().get(0)) >= 3);
                batchId = server.batches().batchIds().get(0);
                assertThat(scorer.condition()).hasValueSatisfying(c -> assertThat(c).contains(batchId)
                        .contains("in_progress"));
                assertThat(scorer.isReady()).isFalse();
            } finally {
                scorer.stop();
            }
            int pollsBefore = server.batches().polls(batchId);

            // When a new scorer starts and the batch then completes
            server.batches().hold(false);
            ScorerService restarted = scorer(platform, server);
            restarted.start();
            List<ConsumerRecord<String, ScoredPair>> pairs;
            try {
                pairs = TestKafka.readAll(platform, Topics.SCORED_PAIRS, 4 * K, WAIT);
                assertThat(restarted.batchesSubmitted()).isZero();
            } finally {
                restarted.stop();
            }

            // Then it polled the same batch, submitted none, and every pair came from it exactly once
            assertThat(server.batches().created()).isEqualTo(1);
            assertThat(server.batches().polls(batchId)).isGreaterThan(pollsBefore);
            assertThat(server.requests()).isEmpty();
            assertThat(pairs).hasSize(4 * K).allSatisfy(r -> assertThat(r.value().getFromCache()).isTrue());
            assertThat(TestKafka.readAll(platform, Topics.JUDGEMENTS, 4 * K, WAIT)).hasSize(4 * K);
        }
    }

    @Test
    void twoReplicasStartedTogetherSubmitOneBatchAndWaitForIt() throws Exception {
        try (FakeChatServer server = new FakeChatServer()) {
            // Given a backlog of 10 contexts and two scorers of one group started at the same moment, whose batch
            // stays in progress
            Platform platform = platform(server, "b4-", Map.of("topic.partitions", "2"));
            backlog(platform, "t", 10);
            server.batches().hold(true);
            ScorerService one = scorer(platform, server);
            ScorerService two = scorer(platform, server);
            List<ConsumerRecord<String, ScoredPair>> pairs;
            try {
                Thread starter = new Thread(one::start);
                starter.start();
                two.start();
                starter.join();

                // When both have planned and are polling
                Await.until("both replicas waiting on an open batch", WAIT, () -> server.batches().created() >= 1
                        && one.condition().orElse("").contains("in_progress")
                        && two.condition().orElse("").contains("in_progress"));
                // Then one batch holds the backlog, and both wait for that one
                String batchId = server.batches().batchIds().get(0);
                assertThat(server.batches().created()).isEqualTo(1);
                assertThat(one.condition()).hasValueSatisfying(c -> assertThat(c).contains(batchId));
                assertThat(two.condition()).hasValueSatisfying(c -> assertThat(c).contains(batchId));
                assertThat(one.batchesSubmitted() + two.batchesSubmitted()).isEqualTo(1);

                server.batches().hold(false);
                pairs = TestKafka.readAll(platform, Topics.SCORED_PAIRS, 10 * K, WAIT);
            } finally {
                one.stop();
                two.stop();
            }
            // ... every pair was scored once, from that batch's judgements, with no chat call
            assertThat(server.batches().created()).isEqualTo(1);
            assertThat(server.requests()).isEmpty();
            assertThat(pairs).hasSize(10 * K).allSatisfy(r -> assertThat(r.value().getFromCache()).isTrue());
            assertThat(pairs.stream().map(ConsumerRecord::key).collect(Collectors.toSet())).hasSize(10 * K);
            // ... and the ledger holds that one job done, plus at most a withdrawn intent of the replica that lost
            Map<String, JudgeBatch> ledger = latest(TestKafka.readAll(platform, Topics.JUDGE_BATCHES, 3, WAIT));
            assertThat(ledger.values()).filteredOn(b -> !b.getState().equals("withdrawn")).singleElement()
                    .satisfies(b -> {
                        assertThat(b.getState()).isEqualTo("done");
                        assertThat(b.getBatchId()).isEqualTo(server.batches().batchIds().get(0));
                    });
            System.out.printf("ledger: %s%n", ledger.values().stream().map(JudgeBatch::getState).toList());
        }
    }

    @Test
    void aFailedUploadIsMadeAgainAndAFailedCreateIsLookedForThenMadeWithoutASecondBatch() throws Exception {
        try (FakeChatServer server = new FakeChatServer()) {
            // Given a backlog whose first upload and first create are refused (503) three times each: one call,
            // with the SDK's two retries, fails; the create's failure leaves the job recorded as intended
            Platform platform = platform(server, "b5-", Map.of());
            backlog(platform, "x", 4);
            server.batches().refuseUploads(3).refuseCreates(3);

            // When the scorer runs
            ScorerService scorer = scorer(platform, server);
            scorer.start();
            List<ConsumerRecord<String, ScoredPair>> pairs;
            try {
                pairs = TestKafka.readAll(platform, Topics.SCORED_PAIRS, 4 * K, WAIT);
                // Then it looked for the job's batch (none), created it once, and polled it to its end
                assertThat(scorer.batchesSubmitted()).isEqualTo(1);
            } finally {
                scorer.stop();
            }
            assertThat(server.batches().uploadsRefused()).isEqualTo(3);
            assertThat(server.batches().createsRefused()).isEqualTo(3);
            assertThat(server.batches().created()).isEqualTo(1);
            assertThat(server.requests()).isEmpty();
            assertThat(pairs).hasSize(4 * K).allSatisfy(r -> assertThat(r.value().getFromCache()).isTrue());
            Map<String, JudgeBatch> ledger = latest(TestKafka.readAll(platform, Topics.JUDGE_BATCHES, 3, WAIT));
            assertThat(ledger.values()).singleElement().satisfies(b -> {
                assertThat(b.getState()).isEqualTo("done");
                assertThat(b.getBatchId()).isEqualTo(server.batches().batchIds().get(0));
            });
        }
    }

    @Test
    void batchesAreCutSoThatEachLedgerRecordFitsTheTopicsMessageSize() throws Exception {
        try (FakeChatServer server = new FakeChatServer()) {
            // Given records of at most 12 kB (a ledger budget of 6 kB: 3 request lines of 5 pairs by the bound the
            // scorer uses), the default of 50000 lines per batch, and 30 lines, whose one ledger record (about
            // 14 kB) the broker would refuse
            Platform platform = platform(server, "b6-", Map.of("topic.max.message.bytes", "12000"));
            backlog(platform, "s", 30);

            ScorerService scorer = scorer(platform, server);
            scorer.start();
            List<ConsumerRecord<String, ScoredPair>> pairs;
            try {
                pairs = TestKafka.readAll(platform, Topics.SCORED_PAIRS, 30 * K, WAIT);
            } finally {
                scorer.stop();
            }
            // Then the 30 lines went into batches small enough to be recorded, and every pair came from them
            assertThat(server.batches().requestsPerBatch()).hasSizeGreaterThan(1)
                    .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(3));
            assertThat(server.batches().requestsPerBatch().stream().mapToInt(Integer::intValue).sum()).isEqualTo(30);
            assertThat(server.requests()).isEmpty();
            assertThat(pairs).hasSize(30 * K).allSatisfy(r -> assertThat(r.value().getFromCache()).isTrue());
        }
    }

    private static Platform platform(FakeChatServer server, String prefix, Map<String, String> extra) {
        return kafka.platform(settings(server, prefix, extra));
    }

    /** A batch-mode LLM scorer in its own namespace, judging K candidates per request, polling every 50 ms. */
    static Map<String, String> settings(FakeChatServer server, String prefix, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("topic.prefix", prefix, "scorer.judge", "llm",
                "scorer.llm.mode", "batch", "scorer.llm.batch.size", Integer.toString(K),
                "scorer.llm.batch.poll.ms", "50", "scorer.llm.base.url", server.baseUrl(),
                "kafka.session.timeout.ms", "6000"));
        settings.putAll(extra);
        return settings;
    }

    static ScorerService scorer(Platform platform, FakeChatServer server) {
        return ScorerService.create(platform, LlmJudge.fromConfig(platform.config(), Map.of("OPENAI_API_KEY",
                "sk-test")));
    }

    static String title(String itemId) {
        return "Film " + itemId.substring(2) + " (19" + itemId.substring(2) + ")";
    }

    /** Publishes the items (once per namespace, idempotent) and {@code n} contexts of K candidates each. */
    static List<Candidates> backlog(Platform platform, String tag, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 10; i < 10 + K; i++) {
            String id = "m:" + i;
            ids.add(id);
            TestKafka.send(platform, Topics.ITEMS, id, Item.newBuilder().setItemId(id).setDataset("m")
                    .setTitle(title(id)).setYear(1900 + i).build());
        }
        List<Candidates> out = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            List<Candidate> list = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                list.add(Candidate.newBuilder().setItemId(ids.get(i)).setRank(i).setRetrievalScore(1f).build());
            }
            String contextId = tag + c + "#1";
            Candidates cs = Candidates.newBuilder().setContextId(contextId).setDialogueId(tag + c)
                    .setEncoderId("e").setContextText("Seeker: something like film " + tag + c).setItems(list)
                    .build();
            TestKafka.send(platform, Topics.CANDIDATES, contextId, cs);
            out.add(cs);
        }
        return out;
    }

    /** The custom_id of the context's only request line: the cache key of its first candidate. */
    private static String customId(Platform platform, Candidates c) {
        try (LlmJudge judge = LlmJudge.fromConfig(platform.config(), Map.of("OPENAI_API_KEY", "sk-test"))) {
            String id = c.getItems().get(0).getItemId();
            Item item = Item.newBuilder().setItemId(id).setDataset("m").setTitle(title(id))
                    .setYear(1900 + Integer.parseInt(id.substring(2))).build();
            return LlmJudge.cacheKey(judge.settings().model(), judge.promptVersion(), c.getContextText(),
                    org.crsaug.data.item.ItemText.describe(item));
        }
    }

    /** The latest record of every job on the ledger (claims left out), by job key. */
    static Map<String, JudgeBatch> latest(List<ConsumerRecord<String, JudgeBatch>> records) {
        Map<String, JudgeBatch> out = new java.util.LinkedHashMap<>();
        records.stream().filter(r -> !r.key().startsWith("claim:")).forEach(r -> out.put(r.key(), r.value()));
        return out;
    }

}
