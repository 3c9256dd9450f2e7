package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.GroupState;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.retriever.RetrieverService;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Judgement;
import org.crsaug.schema.ScoredPair;
import org.crsaug.scorer.ScorerService;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.ChildJvm;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.FakeChatServer;
import org.crsaug.testkit.NewDialogues;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs up} judging with the LLM in this JVM, and a second scorer replica started as the real
 * {@code crs service scorer} command in a JVM of its own, attached by the state directory. The replica is
 * killed with SIGKILL while new dialogues stream in, with one batch of a context paid for and the next one in
 * flight; crs up's scorer takes its partition over. Counts: every pair scored once, every context labelled
 * once, and no paid call made twice.
 */
class UpScorerKillTest {

    /** The variable the judges read their key from: the launcher pom's surefire sets it (any key will do). */
    static final String KEY_VARIABLE = "FAKE_LLM_API_KEY";
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final int NEW_DIALOGUES = 12;
    /** Odd, with two calls per context: the replica dies with one batch of a context paid and the other hanging. */
    private static final int ANSWERED_BEFORE_KILL = 3;

    /** A fake LLM endpoint's answers, counted in judged pairs (one per candidate it scored). */
    private static final class PaidPairs implements Function<FakeChatServer.Request, String> {
        private final AtomicInteger pairs = new AtomicInteger();

        @Override
        public String apply(FakeChatServer.Request request) {
            pairs.addAndGet(FakeChatServer.candidateNames(request).size());
            return FakeChatServer.chainOfThoughtReply(request);
        }

        int pairs() {
            return pairs.get();
        }
    }

    @Test
    void aScorerProcessKilledMidStreamBesideCrsUpCostsNoPairAndNoPaidCallTwice(@TempDir Path tmp) throws Exception {
        Path data = DataSlices.inspiredSlice(tmp.resolve("data"), Map.of("train", 6, "valid", 2, "test", 2));
        Path state = tmp.resolve("state");
        PaidPairs upPaid = new PaidPairs();
        PaidPairs replicaPaid = new PaidPairs();
        AtomicInteger replicaCalls = new AtomicInteger();
        CountDownLatch replicaDead = new CountDownLatch(1);
        try (FakeChatServer upLlm = new FakeChatServer().responder(upPaid);
                FakeChatServer replicaLlm = new FakeChatServer()) {
            replicaLlm.responder(r -> {
                if (replicaCalls.incrementAndGet() > ANSWERED_BEFORE_KILL) {
                    // never answered: the replica is killed while it waits
                    awaitQuietly(replicaDead);
                    throw new IllegalStateException("the caller is gone");
                }
                return replicaPaid.apply(r);
            });
            // the same judge in both processes (the cache key names model and prompt), two calls per context
            Map<String, String> judge = Map.of("scorer.judge", "llm", "scorer.llm.batch.size", "5",
                    "scorer.llm.api.key.env", KEY_VARIABLE,
                    // the survivor takes the killed member's partition once its session has expired
                    "kafka.session.timeout.ms", "6000", "topic.partitions", "2");
            Map<String, String> upSettings = new HashMap<>(judge);
            upSettings.put("scorer.llm.base.url", upLlm.baseUrl());
            // no training: this test is about the scorer
            upSettings.put("trainer.round.min.new.labels", "0");
            CrsConfig config = CrsConfig.defaults().withAll(UpFixture.settings(data, state, upSettings));

            ByteArrayOutputStream upOut = new ByteArrayOutputStream();
            try (ContinuousRun up = ContinuousRun.start(config, List.of("inspired"),
                    new PrintStream(upOut, true, StandardCharsets.UTF_8), false)) {
                Platform platform = up.platform();
                // Given crs up has judged its dataset alone
                awaitAllJudged(up);
                int pairsBefore = upPaid.pairs();
                Set<String> keysBefore = judgementKeys(platform);
                System.out.printf("dataset: %d pairs paid, %d judgements%n", pairsBefore, keysBefore.size());

                // ... and the real crs service scorer, attached by the state directory, shares its group
                Map<String, String> replicaSettings = new LinkedHashMap<>(judge);
                replicaSettings.put("scorer.llm.base.url", replicaLlm.baseUrl());
                List<String> args = new ArrayList<>(List.of("service", "scorer", "--state-dir", state.toString()));
                args.addAll(ChildJvm.setArgs(replicaSettings));
                ChildJvm replica = ChildJvm.start(Crs.class.getName(), args, Map.of(KEY_VARIABLE, "sk-replica"),
                        "up-scorer-kill-replica.log");
                try {
                    Await.until("crs up's scorer and the replica each own a candidates partition", WAIT,
                            () -> bothOwnAPartition(platform, replica));

                    // When new dialogues stream in, and the replica is killed waiting on its 4th call
                    NewDialogues catalogue = NewDialogues.ofPublishedCatalogue(platform, "inspired");
                    String url = up.address().http().get("recommendations");
                    for (int i = 0; i < NEW_DIALOGUES; i++) {
                        HttpResponse<String> posted = UpFixture.postDialogues(url, NewDialogues.recommending(
                                "kill:" + i, "I am after a film like number " + i + " on my list", catalogue.title(i)));
                        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
                    }
                    Await.until("the replica to reach its unanswered call", WAIT, () -> {
                        assertThat(replica.process().isAlive()).as(replica.output()).isTrue();
                        return replicaCalls.get() > ANSWERED_BEFORE_KILL;
                    });
                    replica.kill();
                } finally {
                    replica.process().destroyForcibly();
                    replicaDead.countDown();
                }
                assertThat(replicaLlm.answered()).as("calls paid by the replica").isEqualTo(ANSWERED_BEFORE_KILL);

                // Then crs up's scorer takes the partition over and judges every context
                awaitAllJudged(up);
                List<ConsumerRecord<String, Candidates>> candidateRecords = TestKafka.readAll(platform,
                        Topics.CANDIDATES, 1, WAIT);
                List<Candidates> candidates = values(candidateRecords);
                List<Candidates> fresh = candidates.stream()
                        .filter(c -> c.getDialogueId().startsWith("inspired:kill:")).toList();
                assertThat(fresh).as("one context per new dialogue").hasSize(NEW_DIALOGUES);
                // whichever partition the replica was given, it had two new contexts to be killed in the middle of
                assertThat(candidateRecords.stream().filter(r -> r.value().getDialogueId().startsWith("inspired:kill:"))
                        .collect(Collectors.groupingBy(ConsumerRecord::partition, Collectors.counting())))
                        .as("new contexts per candidates partition").hasSize(2)
                        .allSatisfy((partition, n) -> assertThat(n).isGreaterThanOrEqualTo(2));
                assertThat(onceEach(candidates, Candidates::getContextId)).as("candidates once per context")
                        .isTrue();
                int pairs = candidates.stream().mapToInt(c -> c.getItems().size()).sum();

                // ... each pair exactly once (read committed)
                List<ScoredPair> scored = values(TestKafka.readAll(platform, Topics.SCORED_PAIRS, pairs, WAIT));
                assertThat(scored).as("scored pairs").hasSize(pairs);
                assertThat(onceEach(scored, p -> p.getContextId() + "|" + p.getItemId())).isTrue();
                // ... one labels record per context
                List<AugmentedLabels> labels = values(TestKafka.readAll(platform, Topics.AUGMENTED_LABELS,
                        candidates.size(), WAIT));
                assertThat(labels.stream().map(AugmentedLabels::getContextId).toList())
                        .as("one augmented-labels record per context")
                        .containsExactlyInAnyOrderElementsOf(candidates.stream().map(Candidates::getContextId).toList());

                // ... and no paid call made twice: every pair paid for since the dataset is one new judgement, the
                // replica's 3 calls included (the half-paid context's paid batch came from the journal)
                int freshPairs = fresh.stream().mapToInt(c -> c.getItems().size()).sum();
                Set<String> keysAfter = judgementKeys(platform);
                int paidSince = upPaid.pairs() - pairsBefore + replicaPaid.pairs();
                assertThat(paidSince).as("pairs paid for since the dataset was judged").isEqualTo(freshPairs);
                assertThat(keysAfter.size() - keysBefore.size()).as("new judgements").isEqualTo(freshPairs);
                assertThat(scored).filteredOn(p -> p.getContextId().startsWith("inspired:kill:"))
                        .filteredOn(ScoredPair::getFromCache).as("new pairs whose judgement the replica paid for")
                        .hasSizeGreaterThanOrEqualTo(5);
                System.out.printf("new: %d contexts, %d pairs; replica paid %d pairs in %d calls before the kill%n",
                        fresh.size(), freshPairs, replicaPaid.pairs(), ANSWERED_BEFORE_KILL);
            }
        }
    }

    /** Every dialogue retrieved and every candidates record judged: both groups have no lag left. */
    private static void awaitAllJudged(ContinuousRun up) throws InterruptedException {
        Await.until("every dialogue retrieved and every context judged", WAIT, () -> {
            up.checkHealth();
            return UpFixture.caughtUp(up.platform(), Topics.DIALOGUES, RetrieverService.APPLICATION_ID)
                    && UpFixture.caughtUp(up.platform(), Topics.CANDIDATES, ScorerService.APPLICATION_ID);
        });
    }

    /** A stable scorer group of two members, this JVM's and the replica's, each assigned a candidates partition. */
    private static boolean bothOwnAPartition(Platform platform, ChildJvm replica) {
        assertThat(replica.process().isAlive()).as(replica.output()).isTrue();
        var group = UpFixture.group(platform, ScorerService.APPLICATION_ID);
        String topic = platform.config().topic(Topics.CANDIDATES);
        List<MemberDescription> members = List.copyOf(group.members());
        return group.groupState() == GroupState.STABLE && members.size() == 2 && members.stream().allMatch(m ->
                m.assignment().topicPartitions().stream().anyMatch(tp -> tp.topic().equals(topic)));
    }

    private static Set<String> judgementKeys(Platform platform) {
        return TestKafka.readAll(platform, Topics.JUDGEMENTS, 0, WAIT).stream().map(ConsumerRecord::key)
                .collect(Collectors.toSet());
    }

    private static <T> boolean onceEach(List<T> records, Function<T, String> key) {
        return records.stream().map(key).distinct().count() == records.size();
    }

    private static <V> List<V> values(List<ConsumerRecord<String, V>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
