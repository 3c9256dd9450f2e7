package org.crsaug.retriever;

import static org.assertj.core.api.Assertions.assertThat;
import static org.crsaug.retriever.Dialogues.dialogue;
import static org.crsaug.retriever.Dialogues.recommender;
import static org.crsaug.retriever.Dialogues.seeker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.PipelineInputs;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Item;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The retriever service on a real embedded cluster: streaming, incremental indexing, and a restart that
 * resumes from committed offsets and the embedding cache (counted: texts encoded, candidates records).
 */
class RetrieverServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Started once for the class, closed after its last test. */
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Test
    void streamsCandidatesIndexesLateItemsAndDoesNotReEncodeAfterARestart() throws Exception {
        // Given a catalogue and one training dialogue published before the service starts
        Platform platform = kafka.platform(Map.of("retriever.source", "fusion", "retriever.batch.size", "8"));
        for (Item item : Catalogue.ALL) {
            TestKafka.send(platform, Topics.ITEMS, item.getItemId(), item);
        }
        TestKafka.send(platform, Topics.DIALOGUES, "t:old", dialogue("t:old", "train",
                seeker("I loved Orbit", "t:4"), recommender("Then The Verdict Room", "t:6")));
        RetrieverService first = new RetrieverService(platform);
        first.start();
        awaitReady(first);
        assertThat(first.indexedItems()).isEqualTo(Catalogue.ALL.size());

        // When a dialogue arrives after start-up
        TestKafka.send(platform, Topics.DIALOGUES, "t:new", dialogue("t:new", "train",
                seeker("Any good space movie? I enjoyed Orbit.", "t:4"),
                recommender("Try Barnyard Pals", "t:5")));

        // Then its context gets candidates: the co-mentioned item from the other dialogue among them
        Candidates c = awaitCandidates(platform, "t:new#1");
        assertThat(c.getItems()).extracting(Candidate::getItemId).doesNotContain("t:4").contains("t:6");
        assertThat(c.getItems()).filteredOn(x -> x.getItemId().equals("t:6")).extracting(Candidate::getSource)
                .first().isIn("collaborative", "fusion");

        // When an item is published later, Then it becomes retrievable without a restart
        Item submarine = Catalogue.item("t:7", "Deep Dive", List.of("Thriller"),
                "A submarine crew trapped under the arctic ice races against time as the oxygen runs out.");
        TestKafka.send(platform, Topics.ITEMS, "t:7", submarine);
        Await.until("the new item indexed", WAIT, () -> first.indexedItems() == Catalogue.ALL.size() + 1);
        TestKafka.send(platform, Topics.DIALOGUES, "t:sub", dialogue("t:sub", "train",
                seeker("I want a tense submarine thriller under the ice, running out of oxygen."),
                recommender("Deep Dive!", "t:7")));
        Candidates sub = awaitCandidates(platform, "t:sub#1");
        assertThat(sub.getItems().get(0).getItemId()).isEqualTo("t:7");
        long encodedByFirst = first.encodedTexts();
        assertThat(encodedByFirst).isEqualTo(Catalogue.ALL.size() + 1 + 3);
        first.stop();

        // When the service restarts, one dialogue is replayed and one new dialogue arrives
        RetrieverService second = new RetrieverService(platform);
        second.start();
        awaitReady(second);
        TestKafka.send(platform, Topics.DIALOGUES, "t:sub", dialogue("t:sub", "train",
                seeker("I want a tense submarine thriller under the ice, running out of oxygen."),
                recommender("Deep Dive!", "t:7")));
        TestKafka.send(platform, Topics.DIALOGUES, "t:late", dialogue("t:late", "train",
                seeker("Something with farm animals for the kids?"), recommender("Barnyard Pals", "t:5")));
        awaitCandidateCount(platform, "t:sub#1", 2);
        awaitCandidates(platform, "t:late#1");

        // Then only the new context is encoded: items and the replayed context come from the embeddings topic
        assertThat(second.indexedItems()).isEqualTo(Catalogue.ALL.size() + 1);
        assertThat(second.encodedTexts()).isEqualTo(1);
        second.stop();
        // ... and it resumed from its committed offsets: one candidates record per context and dialogue record
        // (two for the replayed one), none for dialogues it had finished before the restart
        Map<String, Long> perContext = TestKafka.readAll(platform, Topics.CANDIDATES, 5, Duration.ofSeconds(30))
                .stream().collect(java.util.stream.Collectors.groupingBy(ConsumerRecord::key,
                        java.util.TreeMap::new, java.util.stream.Collectors.counting()));
        assertThat(perContext).isEqualTo(Map.of("t:old#1", 1L, "t:new#1", 1L, "t:sub#1", 2L, "t:late#1", 1L));
        assertThat(first.failure()).isNull();
        assertThat(second.failure()).isNull();
    }

    @Test
    void aNewItemRepublishesTheCandidatesOfTheContextsItEnters() throws Exception {
        // Given a service that re-retrieves on item changes, a top-2 list and two retrieved contexts
        Platform platform = kafka.platform(Map.of("topic.prefix", "reretrieve-", "retriever.source", "semantic",
                "retriever.top.k", "2", "retriever.reretrieve.on.item", "true"));
        for (Item item : Catalogue.ALL) {
            TestKafka.send(platform, Topics.ITEMS, item.getItemId(), item);
        }
        RetrieverService service = new RetrieverService(platform);
        service.start();
        awaitReady(service);
        TestKafka.send(platform, Topics.DIALOGUES, "t:scary", dialogue("t:scary", "train",
                seeker("I want a terrifying horror film tonight, with ghosts and zombies and lots of screaming."),
                recommender("Dead Streets has zombies.", "t:2")));
        TestKafka.send(platform, Topics.DIALOGUES, "t:love", dialogue("t:love", "train",
                seeker("Something romantic please, a love story about a couple in Paris."),
                recommender("Paris in Spring is lovely.", "t:3")));
        Candidates before = awaitCandidates(platform, "t:scary#1");
        awaitCandidates(platform, "t:love#1");
        assertThat(before.getItems()).extracting(Candidate::getItemId).doesNotContain("t:8");

        // When a horror film joins the catalogue
        TestKafka.send(platform, Topics.ITEMS, "t:8", Catalogue.item("t:8", "Night Screams", List.of("Horror"),
                "Ghosts and zombies hunt screaming teenagers through a terrifying haunted town."));

        // Then the horror context gets new candidates with it, and the romance context is left alone
        Candidates after = awaitCandidateCount(platform, "t:scary#1", 2);
        assertThat(after.getItems()).extracting(Candidate::getItemId).contains("t:8");
        Await.until("one context re-retrieved", WAIT, () -> service.reretrievedContexts() == 1);
        List<ConsumerRecord<String, Candidates>> all =
                TestKafka.readAll(platform, Topics.CANDIDATES, 0, Duration.ofSeconds(5));
        assertThat(all).filteredOn(r -> r.key().equals("t:love#1")).hasSize(1);
        service.stop();
        assertThat(service.failure()).isNull();
    }

    private static void awaitReady(RetrieverService s) throws InterruptedException {
        PipelineInputs.awaitReady(s, WAIT);
    }

    private static Candidates awaitCandidates(Platform platform, String contextId) throws InterruptedException {
        return awaitCandidateCount(platform, contextId, 1);
    }

    private static Candidates awaitCandidateCount(Platform platform, String contextId, int records)
            throws InterruptedException {
        return Await.value(records + " candidate record(s) for " + contextId, WAIT, () -> {
            List<Candidates> mine = TestKafka.readAll(platform, Topics.CANDIDATES, 0, Duration.ofSeconds(5)).stream()
                    .filter(r -> contextId.equals(r.key())).map(ConsumerRecord::value).toList();
            return mine.size() >= records ? mine.get(mine.size() - 1) : null;
        });
    }
}
