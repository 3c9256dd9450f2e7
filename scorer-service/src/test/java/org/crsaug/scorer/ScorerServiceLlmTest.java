package org.crsaug.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.testkit.Scrape;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Item;
import org.crsaug.schema.Judgement;
import org.crsaug.schema.ScoredPair;
import org.crsaug.testkit.FakeChatServer;
import org.crsaug.scorer.llm.LlmJudge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scorer service with the LLM judge on a real embedded cluster, end to end. */
class ScorerServiceLlmTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Started once for the class, closed after its last test. */
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    static Candidates candidates(String contextId, String text, List<String> itemIds) {
        List<Candidate> list = new ArrayList<>();
        for (int i = 0; i < itemIds.size(); i++) {
            list.add(Candidate.newBuilder().setItemId(itemIds.get(i)).setRank(i).setRetrievalScore(1f).build());
        }
        return Candidates.newBuilder().setContextId(contextId).setDialogueId(contextId.split("#")[0])
                .setEncoderId("e").setContextText(text).setItems(list).build();
    }

    @Test
    void judgesEveryCandidateDeadLettersBadContextsAndAReplayAfterRestartMakesNoCalls() throws Exception {
        Platform platform = kafka.platform(Map.of("topic.prefix", "llm-", "scorer.llm.batch.size", "2",
                // a restarted scorer need not wait out the old member's session
                "kafka.session.timeout.ms", "6000"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = "m:" + i;
            ids.add(id);
            TestKafka.send(platform, Topics.ITEMS, id, Item.newBuilder().setItemId(id).setDataset("m")
                    .setTitle("Film Number " + i + " (200" + i + ")").setYear(2000 + i).build());
        }
        List<Candidates> good = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            good.add(candidates("d" + c + "#1", "Seeker: I want film " + c, ids));
        }
        try (FakeChatServer server = new FakeChatServer()) {
            server.responder(r -> r.firstUser().contains("BROKEN") ? "no idea, sorry"
                    : FakeChatServer.chainOfThoughtReply(r));
            CrsConfig config = platform.config().with("scorer.llm.base.url", server.baseUrl());

            // Given candidates for four good contexts, one naming an unknown item, one the LLM cannot answer
            good.forEach(c -> TestKafka.send(platform, Topics.CANDIDATES, c.getContextId(), c));
            TestKafka.send(platform, Topics.CANDIDATES, "bad#1", candidates("bad#1", "Seeker: x", List.of("m:0",
                    "m:404")));
            TestKafka.send(platform, Topics.CANDIDATES, "broken#1", candidates("broken#1", "Seeker: BROKEN", ids));

            // When the scorer runs with the LLM judge
            Scrape before = Scrape.now();
            ScorerService scorer = ScorerService.create(platform, LlmJudge.fromConfig(config,
                    Map.of("OPENAI_API_KEY", SECRET)));
            scorer.start();
            List<ConsumerRecord<String, ScoredPair>> pairs;
            List<ConsumerRecord<String, DeadLetter>> dead;
            try {
                pairs = TestKafka.readAll(platform, Topics.SCORED_PAIRS, 20, WAIT);
                dead = TestKafka.readAll(platform, Topics.DEAD_LETTERS, 2, WAIT);
                // the records are committed with their outputs, so the counters have been bumped by now
                assertMetricsOfFirstRun(before, Scrape.now());
            } finally {
                scorer.stop();
            }

            // Then every candidate of the good contexts is scored once, with its provenance
            assertThat(pairs).hasSize(20);
            assertThat(pairs.stream().map(ConsumerRecord::key).collect(Collectors.toSet())).hasSize(20);
            assertThat(pairs).allSatisfy(r -> {
                assertThat(r.value().getJudgeId()).isEqualTo("llm");
                assertThat(r.value().getPromptVersion()).startsWith("relevance-v1@");
                assertThat(r.value().getFromCache()).isFalse();
                String title = "Film Number " + r.value().getItemId().substring(2) + " (200"
                        + r.value().getItemId().substring(2) + ")";
                assertThat(r.value().getScore()).isEqualTo((float) FakeChatServer.scoreFor(title));
            });
            List<ConsumerRecord<String, AugmentedLabels>> labels =
                    TestKafka.readAll(platform, Topics.AUGMENTED_LABELS, 4, WAIT);
            assertThat(labels).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("d0#1", "d1#1", "d2#1",
                    "d3#1");
            assertThat(labels).allSatisfy(r -> assertThat(r.value().getCandidateCount()).isEqualTo(5));
            assertThat(TestKafka.readAll(platform, Topics.JUDGEMENTS, 20, WAIT)).hasSize(20);
            // ... and the bad contexts are dead letters saying why, the broken one with the raw reply
            assertThat(dead).hasSize(2);
            assertThat(dead).anySatisfy(d -> assertThat(d.value().getError()).contains("m:404"));
            assertThat(dead).anySatisfy(d -> assertThat(d.value().getError()).contains("no idea, sorry"));

            assertThat(server.lastAuthorization()).isEqualTo("Bearer " + SECRET);

            // When the same candidates are replayed into a restarted scorer, followed by one new context
            server.resetCounts();
            Scrape beforeReplay = Scrape.now();
            good.forEach(c -> TestKafka.send(platform, Topics.CANDIDATES, c.getContextId(), c));
            Candidates late = candidates("d4#1", "Seeker: I want film 4", ids);
            TestKafka.send(platform, Topics.CANDIDATES, late.getContextId(), late);
            ScorerService restarted = ScorerService.create(platform, LlmJudge.fromConfig(config,
                    Map.of("OPENAI_API_KEY", SECRET)));
            restarted.start();
            List<ConsumerRecord<String, ScoredPair>> all;
            try {
                all = TestKafka.readAll(platform, Topics.SCORED_PAIRS, 45, WAIT);
                Scrape afterReplay = Scrape.now();
                // the 20 replayed pairs come from the cache; only the new context's 5 pairs are paid for
                assertThat(afterReplay.delta(beforeReplay, "crs_judgement_cache_hits_total", "judge", "llm"))
                        .isEqualTo(20.0);
                assertThat(afterReplay.delta(beforeReplay, "crs_judgement_cache_misses_total", "judge", "llm"))
                        .isEqualTo(5.0);
            } finally {
                restarted.stop();
            }

            // Then every replayed score comes from the cache, identical; the LLM is called only for the new
            // context (5 candidates in batches of 2: 3 calls), and nothing finished before the restart is redone
            assertThat(server.requests()).hasSize(3)
                    .allSatisfy(r -> assertThat(r.firstUser()).contains("I want film 4"));
            assertThat(all).hasSize(45);
            assertThat(all).filteredOn(r -> r.value().getContextId().equals("d4#1")).hasSize(5)
                    .allSatisfy(r -> assertThat(r.value().getFromCache()).isFalse());
            List<ScoredPair> replayed = all.subList(0, all.size()).stream().map(ConsumerRecord::value)
                    .filter(ScoredPair::getFromCache).toList();
            assertThat(replayed).hasSize(20);
            Set<String> firstRun = pairs.stream().map(r -> r.key() + "=" + r.value().getScore())
                    .collect(Collectors.toSet());
            assertThat(replayed.stream().map(p -> p.getContextId() + "|" + p.getItemId() + "=" + p.getScore())
                    .collect(Collectors.toSet())).isEqualTo(firstRun);
            assertThat(TestKafka.readAll(platform, Topics.JUDGEMENTS, 25, WAIT)).as("only the new context paid for")
                    .hasSize(25).extracting(r -> r.value()).extracting(Judgement::getItemId).isNotEmpty();

            // And the API key was sent to the endpoint but written nowhere: no topic, no state file
            byte[] secret = SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            List<String> topics = new ArrayList<>(Topics.all().stream().map(t -> platform.config().topic(t)).toList());
            topics.add(Topics.SCHEMAS_TOPIC);
            for (String topic : topics) {
                assertThat(indexOf(TestKafka.rawBytes(platform, topic), secret)).as("secret in topic " + topic)
                        .isEqualTo(-1);
            }
            java.nio.file.Path stateDir = platform.config().getPath("state.dir");
            if (java.nio.file.Files.isDirectory(stateDir)) {
                try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(stateDir)) {
                    for (java.nio.file.Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                        assertThat(indexOf(java.nio.file.Files.readAllBytes(f), secret)).as("secret in " + f)
                                .isEqualTo(-1);
                    }
                }
            }
        }
    }

    /** What a Prometheus scrape of the running scorer shows after the first run. */
    private static void assertMetricsOfFirstRun(Scrape before, Scrape after) {
        // judge latency per context: a count per judged context, percentiles and histogram buckets
        assertThat(after.delta(before, "crs_judge_seconds_count", "judge", "llm")).isEqualTo(4.0);
        assertThat(after.value("crs_judge_seconds_max", "judge", "llm")).isPositive().isLessThan(60.0);
        assertThat(after.lines("crs_judge_seconds_bucket", "judge", "llm")).hasSizeGreaterThan(5);
        assertThat(after.delta(before, "crs_judge_seconds_bucket", "judge", "llm", "le", "+Inf")).isEqualTo(4.0);
        // every pair of the good contexts was a cache miss the judge paid for
        assertThat(after.delta(before, "crs_judgement_cache_misses_total", "judge", "llm")).isEqualTo(20.0);
        assertThat(after.delta(before, "crs_judgement_cache_hits_total", "judge", "llm")).isZero();
        // tokens as the endpoint reported them, and their estimated price
        double prompt = after.delta(before, "crs_llm_tokens_total", "purpose", "judge", "type", "prompt");
        double completion = after.delta(before, "crs_llm_tokens_total", "purpose", "judge", "type", "completion");
        assertThat(prompt).isGreaterThan(100);
        assertThat(completion).isGreaterThan(10);
        assertThat(after.delta(before, "crs_llm_cost_usd_total", "purpose", "judge"))
                .isCloseTo((prompt * 0.15 + completion * 0.60) / 1e6, org.assertj.core.data.Offset.offset(1e-9));
        // 4 contexts x 3 batches, plus the broken context's batches and repairs until the first gives up
        assertThat(after.delta(before, "crs_llm_calls_total", "purpose", "judge", "outcome", "ok"))
                .isBetween(14.0, 18.0);
        // records per stage and outcome, and the stream's own rates and consumer lag
        assertThat(after.delta(before, "crs_stage_records_total", "stage", "scorer", "outcome", "ok")).isEqualTo(4.0);
        assertThat(after.delta(before, "crs_stage_records_total", "stage", "scorer", "outcome", "dead_letter"))
                .isEqualTo(2.0);
        assertThat(after.lines("kafka_consumer_fetch_manager_records_lag_max")).isNotEmpty();
        assertThat(after.lines("kafka_stream_thread_process_rate")).isNotEmpty();
    }

    private static final String SECRET = "sk-test-never-written-7f3a";

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
