package org.crsaug.retriever;

import static org.assertj.core.api.Assertions.assertThat;
import static org.crsaug.retriever.Dialogues.dialogue;
import static org.crsaug.retriever.Dialogues.recommender;
import static org.crsaug.retriever.Dialogues.seeker;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.crsaug.model.encoder.MiniLmEncoder;
import org.crsaug.model.encoder.TextEncoder;
import org.crsaug.model.encoder.TextEncoders;
import org.crsaug.testkit.FakeChatServer;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.EmbeddingKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retrieval topology on TopologyTestDriver, with the platform's real Avro serdes and the real encoder. */
class RetrieverTopologyTest {

    private static TestKafka kafka;
    private static Platform platform;
    private static CountingEncoder encoder;

    @BeforeAll
    static void start(@TempDir Path models) {
        kafka = new TestKafka();
        platform = kafka.platform();
        encoder = new CountingEncoder(new MiniLmEncoder(models, 8));
    }

    @AfterAll
    static void stop() {
        encoder.close();
        kafka.close();
    }

    private record Driver(TopologyTestDriver driver, TestInputTopic<String, Dialogue> dialogues,
            TestOutputTopic<String, Candidates> candidates, TestOutputTopic<String, ContextEmbedding> embeddings,
            TestOutputTopic<String, DeadLetter> deadLetters) implements AutoCloseable {

        @Override
        public void close() {
            driver.close();
        }
    }

    private static Driver drive(RetrieverParts parts) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "retriever-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        TopologyTestDriver d = new TopologyTestDriver(RetrieverTopology.build(platform, parts), props);
        return new Driver(d,
                d.createInputTopic(topic(Topics.DIALOGUES), Serdes.String().serializer(),
                        platform.valueSerde(Topics.DIALOGUES).serializer()),
                d.createOutputTopic(topic(Topics.CANDIDATES), Serdes.String().deserializer(),
                        platform.valueSerde(Topics.CANDIDATES).deserializer()),
                d.createOutputTopic(topic(Topics.EMBEDDINGS), Serdes.String().deserializer(),
                        platform.valueSerde(Topics.EMBEDDINGS).deserializer()),
                d.createOutputTopic(topic(Topics.DEAD_LETTERS), Serdes.String().deserializer(),
                        platform.valueSerde(Topics.DEAD_LETTERS).deserializer()));
    }

    private static String topic(TopicSpec<?> spec) {
        return platform.config().topic(spec);
    }

    private static RetrieverParts parts(String source) {
        RetrieverSettings settings = RetrieverSettings.fromConfig(platform.config()).withSource(source);
        RetrieverParts parts = RetrieverParts.of(encoder, new EmbeddingCache(encoder.id()), new ConcurrentHashMap<>(),
                settings);
        ItemEmbedder.index(Catalogue.ALL, parts);
        return parts;
    }

    /** Seeker asks for horror, recommender names the haunted-house film, seeker asks for more of it. */
    private static Dialogue horrorDialogue(String id, String split) {
        return dialogue(id, split,
                seeker("Hi! I want a scary horror movie tonight, something with ghosts or zombies."),
                recommender("You might like The Haunting Hour, a haunted house ghost story.", "t:1"),
                seeker("Seen it, loved it. Another horror film with monsters?"),
                recommender("Then Dead Streets, full of zombies.", "t:2"));
    }

    @Test
    void aTrainDialogueGetsVectorsAndCandidatesForEveryContextWithoutItsMentionedItems() {
        try (Driver d = drive(parts(CandidateSource.SEMANTIC))) {
            d.dialogues().pipeInput("t:d1", horrorDialogue("t:d1", "train"));

            List<ContextEmbedding> vectors = d.embeddings().readValuesToList();
            Map<String, Candidates> byContext = d.candidates().readKeyValuesToMap();
            assertThat(vectors).extracting(ContextEmbedding::getId).containsExactly("t:d1#1", "t:d1#3");
            assertThat(vectors).allSatisfy(v -> assertThat(v.getKind()).isEqualTo(EmbeddingKind.CONTEXT));
            assertThat(byContext).containsOnlyKeys("t:d1#1", "t:d1#3");

            Candidates first = byContext.get("t:d1#1");
            assertThat(first.getEncoderId()).isEqualTo(encoder.id());
            assertThat(first.getItems()).hasSize(6);
            assertThat(first.getItems().get(0).getItemId()).as("a ghost/zombie request ranks a horror film first")
                    .isIn("t:1", "t:2");
            assertThat(first.getItems()).extracting(Candidate::getSource).containsOnly("semantic");
            assertThat(first.getContextText()).startsWith("Seeker: Hi!").doesNotContain("Films mentioned");

            Candidates second = byContext.get("t:d1#3");
            assertThat(second.getItems()).extracting(Candidate::getItemId).doesNotContain("t:1").hasSize(5);
            assertThat(second.getItems().get(0).getItemId()).isEqualTo("t:2");
            assertThat(d.deadLetters().isEmpty()).isTrue();
        }
    }

    @TempDir
    Path scratch;

    @Test
    void contextsOfOtherSplitsGetVectorsButNoCandidatesAndAReplayEncodesNothing() {
        RetrieverParts parts = parts(CandidateSource.SEMANTIC);
        try (Driver d = drive(parts)) {
            d.dialogues().pipeInput("t:d2", horrorDialogue("t:d2", "test"));
            assertThat(d.embeddings().readValuesToList()).hasSize(2);
            assertThat(d.candidates().isEmpty()).isTrue();

            Dialogue train = horrorDialogue("t:d3", "train");
            d.dialogues().pipeInput("t:d3", train);
            List<KeyValue<String, ContextEmbedding>> first = d.embeddings().readKeyValuesToList();
            long encodedBefore = encoder.encodedTexts();
            d.candidates().readValuesToList();

            // the same dialogue again in the same process: what a stream thread does after its transaction was
            // aborted (fenced, task moved). Nothing is encoded, but the records go out again, or the topic that
            // never got them from the aborted transaction would lack them for good
            d.dialogues().pipeInput("t:d3", train);
            assertThat(encoder.encodedTexts()).as("the replayed dialogue's contexts come from the cache")
                    .isEqualTo(encodedBefore);
            assertThat(d.embeddings().readKeyValuesToList()).hasSize(2).isEqualTo(first);
            assertThat(d.candidates().readValuesToList()).hasSize(2);

            // a later process reads the vectors back from the topic: a replay there sends nothing
            try (KafkaProducer<String, ContextEmbedding> producer = platform.producer(Topics.EMBEDDINGS, "replay-test")) {
                for (KeyValue<String, ContextEmbedding> kv : first) {
                    producer.send(new ProducerRecord<>(topic(Topics.EMBEDDINGS), kv.key, kv.value));
                }
            }
            try (EmbeddingCache loaded = EmbeddingCache.load(platform, encoder.id(), "replay-test", scratch,
                    java.time.Duration.ofSeconds(30))) {
                RetrieverParts later = RetrieverParts.of(encoder, loaded, new ConcurrentHashMap<>(),
                        RetrieverSettings.fromConfig(platform.config()).withSource(CandidateSource.SEMANTIC));
                ItemEmbedder.index(Catalogue.ALL, later);
                try (Driver again = drive(later)) {
                    again.dialogues().pipeInput("t:d3", train);
                    assertThat(again.embeddings().isEmpty()).as("vectors read from the topic are not sent again")
                            .isTrue();
                    assertThat(again.candidates().readValuesToList()).hasSize(2);
                }
            }
        }
    }

    @Test
    void collaborativeCandidatesComeFromOtherDialoguesAndSayWhereTheyCameFrom() {
        RetrieverParts parts = parts(CandidateSource.FUSION);
        parts.coMentions().put("t:o1", dialogue("t:o1", "train", seeker("zombies please", "t:2"),
                recommender("Orbit is tense too", "t:4")));
        try (Driver d = drive(parts)) {
            d.dialogues().pipeInput("t:d4", horrorDialogue("t:d4", "train"));
            Candidates second = d.candidates().readKeyValuesToMap().get("t:d4#3");
            // its seed t:1 is co-mentioned nowhere else, so the collaborative list is empty here
            assertThat(second.getItems()).extracting(Candidate::getItemId).doesNotContain("t:1");
            assertThat(second.getItems()).extracting(Candidate::getSource).containsOnly("semantic");

            d.dialogues().pipeInput("t:d5", dialogue("t:d5", "train", seeker("I loved Dead Streets", "t:2"),
                    recommender("Try Orbit", "t:4")));
            Candidates fused = d.candidates().readKeyValuesToMap().get("t:d5#1");
            Candidate orbit = fused.getItems().stream().filter(c -> c.getItemId().equals("t:4")).findFirst()
                    .orElseThrow();
            assertThat(orbit.getSource()).as("proposed by both lists").isEqualTo("fusion");
            assertThat(fused.getItems()).extracting(Candidate::getItemId).doesNotContain("t:2");
        }
    }

    @Test
    void retrievalWorksThroughAnOpenAiCompatibleEmbeddingsEndpoint() {
        try (FakeChatServer server = new FakeChatServer().embeddingDimension(512);
                TextEncoder remote = TextEncoders.create(platform.config()
                        .with(TextEncoders.ENCODER_KEY, "openai")
                        .with("retriever.encoder.openai.base.url", server.baseUrl())
                        .with("retriever.encoder.openai.model", "fake-embed")
                        .with("retriever.encoder.openai.api.key.env", "")
                        .with("retriever.encoder.openai.query.prefix", "query: "), Path.of("unused"))) {
            RetrieverSettings settings = RetrieverSettings.fromConfig(platform.config())
                    .withSource(CandidateSource.SEMANTIC).withSemantic(false, false);
            RetrieverParts parts = RetrieverParts.of(remote, new EmbeddingCache(remote.id()), new ConcurrentHashMap<>(),
                    settings);
            ItemEmbedder.index(Catalogue.ALL, parts);
            try (Driver d = drive(parts)) {
                d.dialogues().pipeInput("t:r1", dialogue("t:r1", "train",
                        seeker("Any film with flesh-eating zombies?"),
                        recommender("Dead Streets.", "t:2"),
                        seeker("Great. Now something about astronauts on a space station."),
                        recommender("Orbit!", "t:4")));
                Map<String, Candidates> byContext = d.candidates().readKeyValuesToMap();
                assertThat(byContext.get("t:r1#1").getEncoderId()).isEqualTo(remote.id()).startsWith("openai:fake-embed");
                assertThat(byContext.get("t:r1#1").getItems().get(0).getItemId()).isEqualTo("t:2");
                assertThat(byContext.get("t:r1#3").getItems()).extracting(Candidate::getItemId)
                        .doesNotContain("t:2").first().isEqualTo("t:4");
                assertThat(d.embeddings().readValuesToList()).extracting(ContextEmbedding::getEncoderId)
                        .containsOnly(remote.id());
                assertThat(d.deadLetters().isEmpty()).isTrue();
            }
            // items went as documents, contexts as queries with their prefix
            List<List<String>> sent = server.embeddingInputs();
            assertThat(sent.get(0)).noneMatch(t -> t.startsWith("query: "));
            assertThat(sent.get(sent.size() - 1)).allMatch(t -> t.startsWith("query: "));
        }
    }

    @Test
    void aDialogueThatCannotBeRetrievedBecomesADeadLetter() {
        RetrieverParts parts = parts(CandidateSource.SEMANTIC);
        // an index of another dimension: what a mix-up of encoders between runs would cause
        ItemIndex wrong = new ItemIndex(false);
        wrong.upsert("t:x", new float[] {1f, 0f});
        RetrieverParts broken = new RetrieverParts(parts.encoder(), wrong, new SemanticSource(wrong, null),
                parts.cache(), parts.contextMean(), parts.coMentions(), parts.items(), parts.settings());
        try (Driver d = drive(broken)) {
            Dialogue dialogue = horrorDialogue("t:d6", "train");
            d.dialogues().pipeInput("t:d6", dialogue);
            List<DeadLetter> dead = d.deadLetters().readValuesToList();
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).getStage()).isEqualTo("retriever");
            assertThat(dead.get(0).getError()).contains("dimensions");
            // the dialogue as its record's bytes: re-submitting the letter hands the retriever a record it reads
            assertThat(platform.valueSerde(Topics.DIALOGUES).deserializer().deserialize(topic(Topics.DIALOGUES),
                    new org.apache.kafka.common.header.internals.RecordHeaders(), dead.get(0).getOriginalValue()))
                    .isEqualTo(dialogue);
            assertThat(d.candidates().isEmpty()).isTrue();
        }
    }
}
