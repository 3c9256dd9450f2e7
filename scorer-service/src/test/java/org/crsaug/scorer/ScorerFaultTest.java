package org.crsaug.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.ChildJvm;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Item;
import org.crsaug.schema.Judgement;
import org.crsaug.schema.Label;
import org.crsaug.schema.ScoredPair;
import org.crsaug.testkit.FakeChatServer;
import org.crsaug.scorer.llm.LlmJudge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults on the scorer with the LLM judge on a real embedded cluster: a replica process killed with
 * SIGKILL mid-context, and an LLM endpoint that is down for a while. Each test counts scored pairs,
 * labelled contexts and paid LLM calls and asserts the exact numbers.
 */
class ScorerFaultTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int ITEMS = 4;
    private static final String KEY = "sk-fault-test";
    /** Started once for the class, closed after its last test. */
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    private static List<String> items(Platform platform) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            String id = "f:" + i;
            ids.add(id);
            TestKafka.send(platform, Topics.ITEMS, id, Item.newBuilder().setItemId(id).setDataset("f")
                    .setTitle("Fault Film " + i).setYear(2010 + i).build());
        }
        return ids;
    }

    private static List<Candidates> contexts(Platform platform, List<String> ids, int n) {
        List<Candidates> all = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            Candidates cands = ScorerServiceLlmTest.candidates("k" + c + "#1", "Seeker: films like number " + c, ids);
            all.add(cands);
            TestKafka.send(platform, Topics.CANDIDATES, cands.getContextId(), cands);
        }
        return all;
    }

    /** The labels the fake server's scores must produce: every candidate above the 3.5 threshold. */
    private static List<String> expectedLabels(List<String> ids) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (FakeChatServer.scoreFor("Fault Film " + i + " (" + (2010 + i) + ")") > 3.5) {
                out.add(ids.get(i));
            }
        }
        return out;
    }

    private static void assertEveryPairOnceAndLabelsComplete(Platform platform, int contexts, List<String> ids) {
        List<ConsumerRecord<String, ScoredPair>> pairs = TestKafka.readAll(platform, Topics.SCORED_PAIRS,
                contexts * ITEMS, WAIT);
        assertThat(pairs).as("scored pairs, read committed").hasSize(contexts * ITEMS);
        assertThat(pairs.stream().map(ConsumerRecord::key).collect(Collectors.toSet())).hasSize(contexts * ITEMS);
        List<ConsumerRecord<String, AugmentedLabels>> labels = TestKafka.readAll(platform, Topics.AUGMENTED_LABELS,
                contexts, WAIT);
        assertThat(labels).as("one labels record per context").hasSize(contexts);
        assertThat(labels.stream().map(ConsumerRecord::key).collect(Collectors.toSet())).hasSize(contexts);
        List<String> expected = expectedLabels(ids);
        assertThat(labels).allSatisfy(r -> {
            assertThat(r.value().getCandidateCount()).isEqualTo(ITEMS);
            assertThat(r.value().getLabels()).extracting(Label::getItemId).containsExactlyInAnyOrderElementsOf(expected);
        });
    }

    @Test
    void aReplicaKilledMidContextCostsNoPairAndNoPaidCallTwice() throws Exception {
        int contexts = 6;
        int batchesPerContext = 2;
        // the server answers this many calls, then leaves every further call hanging: odd, so the
        // replica dies with one batch of a context paid for and the other still in flight
        int answeredBeforeKill = 2 * batchesPerContext + 1;
        Map<String, String> settings = Map.of("topic.prefix", "kill-", "scorer.judge", "llm",
                "scorer.llm.batch.size", Integer.toString(ITEMS / batchesPerContext),
                // the survivor takes over once the dead member's session has expired
                "kafka.session.timeout.ms", "6000");
        Platform platform = kafka.platform(settings);
        List<String> ids = items(platform);
        contexts(platform, ids, contexts);
        AtomicBoolean killed = new AtomicBoolean();
        AtomicInteger seen = new AtomicInteger();
        try (FakeChatServer server = new FakeChatServer()) {
            server.responder(r -> {
                if (!killed.get() && seen.incrementAndGet() > answeredBeforeKill) {
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IllegalStateException("the caller is gone");
                }
                return FakeChatServer.chainOfThoughtReply(r);
            });

            // Given a scorer replica in its own process, judging with the LLM
            ChildJvm replica = startReplicaProcess(platform, server, settings);
            try {
                // When it has paid for 5 calls and waits for the 6th, it is killed with SIGKILL
                Await.until("the replica to reach the hanging call", WAIT, () -> server.requests().size() > answeredBeforeKill);
                List<ConsumerRecord<String, Judgement>> journaled = TestKafka.readAll(platform, Topics.JUDGEMENTS,
                        answeredBeforeKill * ITEMS / batchesPerContext, WAIT);
                assertThat(journaled).as("paid judgements are cached before their context commits")
                        .hasSize(answeredBeforeKill * ITEMS / batchesPerContext);
                replica.kill();
            } finally {
                replica.process().destroyForcibly();
            }
            killed.set(true);
            assertThat(server.answered()).isEqualTo(answeredBeforeKill);

            // ... and a second replica of the same group takes over
            CrsConfig config = platform.config().with("scorer.llm.base.url", server.baseUrl());
            try (ScorerService survivor = ScorerService.create(platform, LlmJudge.fromConfig(config,
                    Map.of("OPENAI_API_KEY", KEY)))) {
                survivor.start();

                // Then every pair is scored exactly once (read committed) and every context has its labels
                assertEveryPairOnceAndLabelsComplete(platform, contexts, ids);
                assertThat(survivor.failure()).isNull();
            }
            // ... and no call was paid twice: one answered call per batch, the 5 answered before the
            // kill included; the half-paid context's first batch came from the cache
            assertThat(server.answered()).as("answered (paid) LLM calls").isEqualTo(contexts * batchesPerContext);
            List<ConsumerRecord<String, Judgement>> judgements = TestKafka.readAll(platform, Topics.JUDGEMENTS,
                    contexts * ITEMS, WAIT);
            assertThat(judgements).as("one cached judgement per pair").hasSize(contexts * ITEMS);
            assertThat(TestKafka.readAll(platform, Topics.SCORED_PAIRS, contexts * ITEMS, WAIT))
                    .filteredOn(r -> r.value().getFromCache()).as("pairs whose judgement was paid before the kill")
                    .hasSizeGreaterThanOrEqualTo(ITEMS / batchesPerContext);
        }
    }

    @Test
    void anEndpointDownForAWhileCostsNothingAndIsNotStormed() throws Exception {
        // an outage of a minute in production, scaled to 6 s; backoff and deadline scaled alike
        long outageMs = 6000;
        long baseMs = 250;
        long maxMs = 1000;
        int attempts = 3;
        long maxPollIntervalMs = 20_000;
        int contexts = 8;
        Platform platform = kafka.platform(Map.of("topic.prefix", "down-", "scorer.judge", "llm",
                "scorer.llm.batch.size", Integer.toString(ITEMS), "scorer.llm.max.attempts", Integer.toString(attempts),
                "scorer.llm.backoff.base.ms", Long.toString(baseMs), "scorer.llm.backoff.max.ms", Long.toString(maxMs),
                "scorer.llm.context.deadline.ms", "8000",
                "kafka.max.poll.interval.ms", Long.toString(maxPollIntervalMs)));
        List<String> ids = items(platform);
        try (FakeChatServer server = new FakeChatServer()) {
            CrsConfig config = platform.config().with("scorer.llm.base.url", server.baseUrl());
            try (ScorerService scorer = ScorerService.create(platform, LlmJudge.fromConfig(config,
                    Map.of("OPENAI_API_KEY", KEY)))) {
                scorer.start();
                assertThat(scorer.awaitReady(WAIT)).isTrue();

                // Given the endpoint goes down with the first call for the arriving candidates
                server.unavailableFor(Duration.ofMillis(outageMs));
                long downAt = System.nanoTime();
                contexts(platform, ids, contexts);

                // When it comes back, the scorer finishes without a restart
                // time-between-poll-max is windowed: a gap early in the outage can age out, so sample it all along
                double[] maxBetweenPolls = {0};
                // what a person watching sees meanwhile: the retries and the pause, each with its reason
                java.util.Set<String> conditions = new java.util.LinkedHashSet<>();
                Await.until("every context answered", WAIT, () -> {
                    maxBetweenPolls[0] = Math.max(maxBetweenPolls[0], timeBetweenPollsMax(scorer));
                    scorer.condition().ifPresent(c -> conditions.add(c.replaceAll("\\d+ s\\b", "N s")));
                    return server.answered() >= contexts;
                });
                maxBetweenPolls[0] = Math.max(maxBetweenPolls[0], timeBetweenPollsMax(scorer));
                long outageSeenMs = (System.nanoTime() - downAt) / 1_000_000;

                // Then every pair is scored exactly once, every context labelled, nothing dead-lettered
                assertEveryPairOnceAndLabelsComplete(platform, contexts, ids);
                assertThat(TestKafka.readAll(platform, Topics.DEAD_LETTERS, 0, Duration.ofSeconds(2)))
                        .extracting(ConsumerRecord::value).extracting(DeadLetter::getError).isEmpty();
                assertThat(scorer.failure()).isNull();
                assertThat(scorer.outagePauses()).as("the outage paused the scorer").isPositive();
                assertThat(conditions).as("conditions shown during the outage")
                        .anySatisfy(c -> assertThat(c).startsWith("LLM call failed (").contains("attempt ", "next try in N s"))
                        .anySatisfy(c -> assertThat(c).startsWith("paused: the judge's endpoint is unreachable (")
                                .endsWith("judging again in N s"));
                assertThat(scorer.condition()).as("nothing to show once it has recovered").isEmpty();
                // ... each context was paid for once: one call per context (a batch holds all candidates)
                assertThat(server.answered()).isEqualTo(contexts);
                // ... the outage got a bounded number of calls. One stream thread has one call in flight;
                // a round of retries makes at most `attempts` calls and lasts at least the lower ends of
                // its jittered waits (base/2, base, ... capped at max/2), then the scorer pauses for
                // backoff.max, so rounds <= outage / (that span + max) + 1
                long minRoundMs = maxMs;
                for (int a = 1; a < attempts; a++) {
                    minRoundMs += Math.min(maxMs, baseMs << (a - 1)) / 2;
                }
                long bound = attempts * (outageMs / minRoundMs + 1);
                assertThat(server.unavailableCount()).as("calls during the %d ms outage (bound %d)", outageMs, bound)
                        .isPositive().isLessThanOrEqualTo((int) bound);
                // ... and no consumer went longer between polls than max.poll.interval.ms
                assertThat(maxBetweenPolls[0]).as("longest gap between polls, ms").isPositive()
                        .isLessThan(maxPollIntervalMs);
                System.out.printf("outage %d ms: %d calls answered 503 (bound %d), %d pauses, max gap between"
                        + " polls %.0f ms, all judged %d ms after the outage began%n", outageMs,
                        server.unavailableCount(), bound, scorer.outagePauses(), maxBetweenPolls[0], outageSeenMs);
            }
        }
    }

    /** The main consumers' {@code time-between-poll-max}, ms (NaN-free: 0 when not yet measured). */
    private static double timeBetweenPollsMax(ScorerService scorer) {
        double max = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : scorer.metrics().entrySet()) {
            MetricName n = e.getKey();
            if (n.name().equals("time-between-poll-max") && n.group().equals("consumer-metrics")
                    && !n.tags().getOrDefault("client-id", "").contains("global")
                    && !n.tags().getOrDefault("client-id", "").contains("restore")) {
                Object v = e.getValue().metricValue();
                if (v instanceof Double d && !d.isNaN() && !d.isInfinite()) {
                    max = Math.max(max, d);
                }
            }
        }
        return max;
    }

    private static ChildJvm startReplicaProcess(Platform platform, FakeChatServer server, Map<String, String> settings) {
        Map<String, String> set = new HashMap<>(settings);
        set.put("bootstrap.servers", platform.bootstrapServers());
        set.put("schema.registry.url", platform.registryUrl());
        set.put("state.dir", platform.config().getPath("state.dir").resolve("killed-replica").toString());
        set.put("scorer.llm.base.url", server.baseUrl());
        set.put("topic.replication.factor", platform.config().get("topic.replication.factor"));
        return ChildJvm.start(ScorerMain.class.getName(), ChildJvm.setArgs(set), Map.of("OPENAI_API_KEY", KEY),
                "killed-replica.log");
    }
}
