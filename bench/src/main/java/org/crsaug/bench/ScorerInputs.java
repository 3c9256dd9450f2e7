package org.crsaug.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Item;
import org.crsaug.schema.ScoredPair;

/**
 * The scorer benchmarks' synthetic world in a topic namespace: a catalogue of bench items, one
 * candidates record per context, and the wait for the scored pairs. Shared by {@code crs bench scorer}
 * and the scorer-scaling part of {@code crs bench stream}.
 */
final class ScorerInputs {

    static final int CANDIDATES_PER_CONTEXT = 10;
    static final int ITEMS = 200;

    private ScorerInputs() {
    }

    /**
     * The settings of one member of a scorer namespace on the platform's cluster: its own topics
     * ({@code topic.prefix}), the LLM judge's server and budget, and a state directory of its own, as
     * a separate process would have. A child JVM gets the same settings as {@code --set} flags.
     */
    static Map<String, String> namespaceSettings(Platform platform, String llmBaseUrl, String prefix, int rpm,
            int shares, String member) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("topic.prefix", prefix);
        s.put("topic.partitions", "8");
        s.put("scorer.llm.base.url", llmBaseUrl);
        s.put("scorer.llm.batch.size", Integer.toString(CANDIDATES_PER_CONTEXT));
        s.put("scorer.llm.requests.per.minute", Integer.toString(rpm));
        s.put("scorer.replicas", Integer.toString(shares));
        s.put("bootstrap.servers", platform.bootstrapServers());
        s.put("schema.registry.url", platform.registryUrl());
        s.put("state.dir", platform.config().getPath("state.dir").resolve("bench").resolve(prefix + member).toString());
        return s;
    }

    /** A connection to the platform's cluster in a scorer namespace (see {@link #namespaceSettings}), topics made. */
    static Platform namespace(Platform platform, String llmBaseUrl, String prefix, int rpm, int shares,
            String member) {
        return namespace(platform, llmBaseUrl, prefix, rpm, shares, member, Map.of());
    }

    /** As above, with more settings on top (e.g. the judge and its batch mode). */
    static Platform namespace(Platform platform, String llmBaseUrl, String prefix, int rpm, int shares,
            String member, Map<String, String> extra) {
        Map<String, String> settings = namespaceSettings(platform, llmBaseUrl, prefix, rpm, shares, member);
        settings.putAll(extra);
        CrsConfig c = platform.config().withAll(settings);
        Platform p = Platform.connect(c);
        p.ensureTopics();
        return p;
    }

    /**
     * The bench's items, every send acknowledged. A fresh topic on a loaded machine has been seen to
     * answer a new producer with OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout, dropping the
     * records (every context naming one would then be dead-lettered and the run wait its 10 minutes):
     * such a failure sends all items again with a new producer (same keys, compacted topic).
     */
    static void publishItems(Platform p) {
        for (int attempt = 1; ; attempt++) {
            try (KafkaProducer<String, Item> items = p.producer(Topics.ITEMS, "bench-items-" + attempt)) {
                List<Future<?>> acks = new ArrayList<>();
                for (int i = 0; i < ITEMS; i++) {
                    String id = "bench:" + i;
                    acks.add(items.send(new ProducerRecord<>(p.config().topic(Topics.ITEMS), id, Item.newBuilder()
                            .setItemId(id).setDataset("bench").setTitle("Bench Film " + i).setYear(1990 + i % 30)
                            .build())));
                }
                for (Future<?> ack : acks) {
                    ack.get();
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                if (attempt >= 3) {
                    throw new IllegalStateException("Could not publish the bench items", e.getCause());
                }
            }
        }
    }

    /**
     * One candidates record per context, dealt round-robin over the partitions: the bench measures how
     * replicas share a slow judge, not how evenly context ids happen to hash.
     */
    static void publishCandidates(Platform p, int contexts) {
        publishCandidates(p, 0, contexts);
    }

    /** Contexts {@code first} to {@code first + contexts - 1}: a later batch in the same namespace has ids of its own. */
    static void publishCandidates(Platform p, int first, int contexts) {
        String topic = p.config().topic(Topics.CANDIDATES);
        try (KafkaProducer<String, Candidates> candidates = p.producer(Topics.CANDIDATES, "bench-candidates")) {
            int partitions = candidates.partitionsFor(topic).size();
            Random rng = new Random(7 + first);
            for (int c = first; c < first + contexts; c++) {
                List<Candidate> list = new ArrayList<>();
                for (int k = 0; k < CANDIDATES_PER_CONTEXT; k++) {
                    list.add(Candidate.newBuilder().setItemId("bench:" + ((c * 7 + k * 13) % ITEMS)).setRank(k)
                            .setRetrievalScore(1f - k * 0.01f).build());
                }
                String id = "bench:" + c + "#1";
                candidates.send(new ProducerRecord<>(topic, c % partitions, id, Candidates.newBuilder()
                        .setContextId(id).setDialogueId("bench:" + c).setEncoderId("bench")
                        .setContextText("Seeker: something like film " + rng.nextInt(ITEMS) + " please")
                        .setItems(list).build()));
            }
            candidates.flush();
        }
    }

    /**
     * Waits for the scored pairs; a dead-lettered context would never give its pairs, so the first dead
     * letter fails the run with its reason instead of waiting out the 10 minutes.
     *
     * @return when the first scored pair was seen (System.nanoTime)
     */
    static long awaitPairs(Platform p, long expected) throws InterruptedException {
        try (TopicFollower<ScoredPair> pairs = new TopicFollower<>(p, Topics.SCORED_PAIRS, "bench-pairs-"
                + System.nanoTime());
                TopicFollower<DeadLetter> dead = new TopicFollower<>(p, Topics.DEAD_LETTERS, "bench-dead-"
                        + System.nanoTime())) {
            long seen = 0;
            long first = 0;
            long deadline = System.currentTimeMillis() + Duration.ofMinutes(10).toMillis();
            long nextDeadCheck = 0;
            List<String> errors = new ArrayList<>();
            while (seen < expected) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("Only " + seen + " of " + expected + " scored pairs after 10 min");
                }
                seen += pairs.catchUp(r -> { }, Duration.ofSeconds(30));
                if (seen > 0 && first == 0) {
                    first = System.nanoTime();
                }
                if (System.currentTimeMillis() > nextDeadCheck) {
                    dead.catchUp(r -> {
                        if (r.value() != null) {
                            errors.add(r.value().getError().toString());
                        }
                    }, Duration.ofSeconds(30));
                    if (!errors.isEmpty()) {
                        throw new IllegalStateException("The scorer dead-lettered " + errors.size()
                                + " contexts of the run, first: " + errors.get(0));
                    }
                    nextDeadCheck = System.currentTimeMillis() + 1000;
                }
                Thread.sleep(20);
            }
            return first;
        }
    }
}
