package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.data.ingest.DialogueIntake;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.service.Service;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.retriever.RetrieverService;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.ScoredPair;
import org.crsaug.scorer.ScorerService;
import org.crsaug.scorer.llm.LlmJudge;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.FakeChatServer;
import org.crsaug.testkit.NewDialogues;
import org.crsaug.testkit.PipelineInputs;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retriever (encoding through a fake embeddings endpoint) and the scorer with the LLM judge (fake endpoint) on a three-broker KRaft cluster with
 * one controller, replication 3 and min ISR 2, while new dialogues stream in: the broker leading a
 * {@code candidates} partition is stopped without handing its leaderships over and started again, then the one
 * leading a {@code scored-pairs} partition, then the controller is bounced. Counts, read committed: one candidates
 * and one labels record per context, every candidate pair scored once, and no paid call made twice.
 */
class ClusterFaultTest {

    private static final Duration WAIT = Duration.ofMinutes(2);
    /** Between two new dialogues: the stream keeps flowing through every fault. */
    private static final long SEND_EVERY_MS = 500;
    /** Dialogues posted after a fault began (or its partition's leader moved) that are labelled before it ends. */
    private static final int PROGRESS = 3;

    /** Started once for the class, closed after its last test. */
    @RegisterExtension
    static final TestKafka kafka = new TestKafka(3);

    @Test
    void leaderBrokersStoppedAndTheControllerBouncedMidStreamLoseAndRepeatNothing(@TempDir Path tmp) throws Exception {
        long started = System.nanoTime();
        AtomicInteger paidPairs = new AtomicInteger();
        try (FakeChatServer llm = new FakeChatServer().responder(r -> {
            paidPairs.addAndGet(FakeChatServer.candidateNames(r).size());
            return FakeChatServer.chainOfThoughtReply(r);
        }); FakeChatServer embedder = new FakeChatServer()) {
            // two judge calls per context; texts encoded by an embeddings endpoint, which starts in no time where
            // MiniLM takes half a minute to load and index the catalogue on two cores
            Platform platform = kafka.platform(Map.ofEntries(Map.entry("topic.prefix", "cluster-"),
                    Map.entry("scorer.judge", LlmJudge.ID), Map.entry("scorer.llm.base.url", llm.baseUrl()),
                    Map.entry("scorer.llm.batch.size", "5"), Map.entry("scorer.llm.requests.per.minute", "60000"),
                    Map.entry("retriever.top.k", "10"), Map.entry("retriever.encoder", "openai"),
                    Map.entry("retriever.encoder.openai.base.url", embedder.baseUrl()),
                    Map.entry("retriever.encoder.openai.model", "fake-embed"),
                    Map.entry("retriever.encoder.openai.api.key.env", "")));
            assertThat(platform.config().getInt("topic.replication.factor")).isEqualTo(3);
            NewDialogues catalogue = NewDialogues.publishCatalogue(platform, tmp.resolve("data"));
            RetrieverService retriever = new RetrieverService(platform);
            ScorerService scorer = ScorerService.create(platform, LlmJudge.fromConfig(platform.config(),
                    Map.of("OPENAI_API_KEY", "test-key")));
            List<Service> services = List.of(retriever, scorer);
            try (DialogueIntake intake = new DialogueIntake(platform, "cluster-fault-intake");
                    Progress progress = new Progress(platform, services)) {
                services.forEach(Service::start);
                for (Service s : services) {
                    PipelineInputs.awaitReady(s, WAIT);
                }
                String candidatesTopic = platform.config().topic(Topics.CANDIDATES);
                String pairsTopic = platform.config().topic(Topics.SCORED_PAIRS);

                // Given new dialogues streaming in, one every 500 ms, each with one context
                Sender sender = new Sender(intake, catalogue);
                Thread sending = new Thread(sender, "cluster-fault-sender");
                sending.start();
                try {
                    progress.awaitSentAfter(sender, 0);

                    // When the broker leading candidates-0 stops without handing its leaderships over, dialogues
                    // keep coming, and it comes back; then the same for the leader of scored-pairs-0
                    stopLeaderWhileStreaming(candidatesTopic, sender, progress);
                    stopLeaderWhileStreaming(pairsTopic, sender, progress);

                    // ... and the controller stops while dialogues keep coming, and comes back
                    long t0 = System.nanoTime();
                    kafka.stopController();
                    progress.awaitSentAfter(sender, sender.count());
                    long down = System.nanoTime();
                    kafka.startController();
                    System.out.printf("controller down for %d ms (dialogues sent meanwhile labelled); started in %d ms%n",
                            (down - t0) / 1_000_000, (System.nanoTime() - down) / 1_000_000);
                    progress.awaitSentAfter(sender, sender.count());
                } finally {
                    sender.stop.set(true);
                    sending.join(WAIT.toMillis());
                }
                assertThat(sender.failure.get()).as("the intake's sends").isNull();
                List<String> sent = sender.idsFrom(0);
                System.out.printf("sent %d new dialogues through the faults%n", sent.size());

                // Then every sent dialogue reaches labels
                progress.await(sent.size());

                // ... one candidates record per context, the dataset's and every new one (read committed)
                List<Candidates> candidates = values(TestKafka.readAll(platform, Topics.CANDIDATES, 1, WAIT));
                assertThat(onceEach(candidates, Candidates::getContextId)).as("candidates once per context").isTrue();
                assertThat(candidates.stream().map(Candidates::getDialogueId).filter(d -> d.startsWith(NEW_PREFIX))
                        .collect(Collectors.toSet())).as("new dialogues with candidates").containsExactlyInAnyOrderElementsOf(sent)
                        .hasSize(sent.size());
                assertThat(candidates).allSatisfy(c -> assertThat(c.getItems()).hasSize(10));

                // ... every candidate pair scored exactly once
                Set<String> candidatePairs = candidates.stream().flatMap(c -> c.getItems().stream()
                        .map(i -> c.getContextId() + "|" + i.getItemId())).collect(Collectors.toSet());
                List<ScoredPair> scored = values(TestKafka.readAll(platform, Topics.SCORED_PAIRS,
                        candidatePairs.size(), WAIT));
                assertThat(scored).as("scored pairs").hasSize(candidatePairs.size());
                assertThat(scored.stream().map(p -> p.getContextId() + "|" + p.getItemId()).collect(Collectors.toSet()))
                        .isEqualTo(candidatePairs);

                // ... one labels record per context
                List<AugmentedLabels> labels = values(TestKafka.readAll(platform, Topics.AUGMENTED_LABELS,
                        candidates.size(), WAIT));
                assertThat(labels.stream().map(AugmentedLabels::getContextId).toList())
                        .as("one augmented-labels record per context")
                        .containsExactlyInAnyOrderElementsOf(candidates.stream().map(Candidates::getContextId).toList());

                // ... and no call paid twice: every pair paid for is one journaled judgement, journaled once
                List<String> judgementKeys = TestKafka.readAll(platform, Topics.JUDGEMENTS, 1, WAIT).stream()
                        .map(ConsumerRecord::key).toList();
                Set<String> distinctKeys = Set.copyOf(judgementKeys);
                assertThat(paidPairs.get()).as("pairs paid for").isEqualTo(distinctKeys.size());
                assertThat(judgementKeys).as("judgement records").hasSize(distinctKeys.size());
                services.forEach(ClusterFaultTest::assertAlive);

                // ... on a cluster where every topic has 3 replicas and min ISR 2: the brokers' internal ones, and
                // each one our code created (the pipeline's, the registry's) by its own setting
                Map<String, String> replication = kafka.replication();
                assertThat(replication).as("topics").containsKeys(Topics.SCHEMAS_TOPIC, "__consumer_offsets",
                        "__transaction_state", candidatesTopic, pairsTopic);
                replication.forEach((topic, r) -> assertThat(r).as(topic).startsWith("3 replicas, min ISR 2 ")
                        .endsWith(topic.startsWith("__") ? ")" : "(DYNAMIC_TOPIC_CONFIG)"));
                System.out.printf("%d contexts (%d new), %d scored pairs, %d labels records, %d pairs paid for in %d"
                        + " calls = %d judgements; %d s in all%n", candidates.size(), sent.size(), scored.size(),
                        labels.size(), paidPairs.get(), llm.answered(), distinctKeys.size(),
                        Duration.ofNanos(System.nanoTime() - started).toSeconds());
            } finally {
                services.forEach(Service::stop);
            }
        }
    }

    /** The dialogue ids {@link NewDialogues#recommending} bodies get under our {@code cf:} ids. */
    private static final String NEW_PREFIX = "inspired:cf:";

    /** Streams new dialogues through the intake until told to stop; keeps the ids it published. */
    private static final class Sender implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final List<String> published = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final DialogueIntake intake;
        private final NewDialogues catalogue;

        Sender(DialogueIntake intake, NewDialogues catalogue) {
            this.intake = intake;
            this.catalogue = catalogue;
        }

        @Override
        public void run() {
            try {
                for (int i = 0; !stop.get(); i++) {
                    String body = NewDialogues.recommending("cf:" + i, "I am after a film like number " + i
                            + " on my list", catalogue.title(i));
                    DialogueIntake.Outcome outcome = intake.submit(body, "inspired", "cluster-fault-test",
                            "cluster-fault-test", DialogueIntake.Policy.ALL_OR_NOTHING);
                    if (!outcome.clean() || outcome.published().size() != 1) {
                        throw new AssertionError("dialogue " + i + " not published: " + outcome.summary());
                    }
                    published.addAll(outcome.published());
                    Thread.sleep(SEND_EVERY_MS);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }

        /** Dialogues published so far. */
        int count() {
            return published.size();
        }

        /** The ids of the dialogues published from the n-th on, in order. */
        List<String> idsFrom(int n) {
            List<String> all = List.copyOf(published);
            return all.subList(Math.min(n, all.size()), all.size());
        }
    }

    /** New dialogues labelled so far (their one context), read committed as they arrive. */
    private static final class Progress implements AutoCloseable {
        private final TopicFollower<AugmentedLabels> labels;
        private final List<Service> services;
        private final Set<String> labelled = new HashSet<>();

        Progress(Platform platform, List<Service> services) {
            this.labels = new TopicFollower<>(platform, Topics.AUGMENTED_LABELS, "cluster-fault-progress");
            this.services = services;
        }

        int labelled() {
            labels.pollOnce(r -> {
                if (r.value().getDialogueId().startsWith(NEW_PREFIX)) {
                    labelled.add(r.value().getDialogueId());
                }
            }, Duration.ofMillis(100));
            return labelled.size();
        }

        void await(int atLeast) throws InterruptedException {
            Await.until(atLeast + " new contexts labelled", WAIT, () -> {
                services.forEach(ClusterFaultTest::assertAlive);
                return labelled() >= atLeast;
            });
        }

        /**
         * Waits until {@link #PROGRESS} dialogues published from the {@code mark}-th on are labelled: the whole
         * path, intake to labels, worked after that moment.
         */
        void awaitSentAfter(Sender sender, int mark) throws InterruptedException {
            Await.until(PROGRESS + " dialogues sent after #" + mark + " labelled", WAIT, () -> {
                services.forEach(ClusterFaultTest::assertAlive);
                assertThat(sender.failure.get()).as("the intake's sends").isNull();
                labelled();
                return sender.idsFrom(mark).stream().filter(labelled::contains).count() >= PROGRESS;
            });
        }

        @Override
        public void close() {
            labels.close();
        }
    }

    /**
     * Stops the broker leading partition 0 of the topic; waits until another broker leads it, dialogues sent after
     * that are labelled and a transaction has committed to that partition; starts the broker again and waits
     * until it is back in every ISR.
     */
    private static void stopLeaderWhileStreaming(String topic, Sender sender, Progress progress)
            throws InterruptedException {
        int leader = kafka.leaderOf(topic, 0);
        long endBefore = kafka.committedEnd(topic, 0);
        long t0 = System.nanoTime();
        kafka.stopBroker(leader);
        Await.until("a new leader of " + topic + "-0", WAIT, () -> {
            int now = kafka.leaderOf(topic, 0);
            return now >= 0 && now != leader;
        });
        long failover = System.nanoTime();
        progress.awaitSentAfter(sender, sender.count());
        Await.until("a commit on " + topic + "-0 under its new leader", WAIT,
                () -> kafka.committedEnd(topic, 0) > endBefore);
        long down = System.nanoTime();
        kafka.startBroker(leader);
        kafka.awaitReplicasInSync(WAIT);
        System.out.printf("broker %d (leader of %s-0) down for %d ms, new leader after %d ms; back in sync after %d ms%n",
                leader, topic, (down - t0) / 1_000_000, (failover - t0) / 1_000_000,
                (System.nanoTime() - down) / 1_000_000);
    }

    private static void assertAlive(Service s) {
        assertThat(s.failure()).as(s.name() + " failure").isNull();
    }

    private static <T> boolean onceEach(List<T> records, Function<T, String> key) {
        return records.stream().map(key).distinct().count() == records.size();
    }

    private static <V> List<V> values(List<ConsumerRecord<String, V>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }
}
