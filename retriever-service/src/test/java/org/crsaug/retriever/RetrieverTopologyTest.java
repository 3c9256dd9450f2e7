package org.crsaug.retriever;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.crsaug.common.encoder.MiniLmEncoder;
import org.crsaug.common.encoder.TextEncoder;
import org.crsaug.common.platform.Platform;
import org.crsaug.common.testing.TestKafka;
import org.crsaug.common.topic.Topics;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The retrieval topology with the real encoder over a tiny themed catalogue. */
class RetrieverTopologyTest {

    private static TestKafka kafka;
    private static Platform platform;
    private static TextEncoder encoder;
    private static final ItemIndex INDEX = new ItemIndex();

    private static final Map<String, String> CATALOGUE = Map.of(
            "m:conjuring", "The Conjuring (2013). Genres: horror. A family is haunted by a demonic presence in their farmhouse.",
            "m:insidious", "Insidious (2010). Genres: horror. A boy falls into a coma and becomes a vessel for ghosts.",
            "m:notebook", "The Notebook (2004). Genres: romance, drama. A poor young man falls in love with a rich young woman.",
            "m:hangover", "The Hangover (2009). Genres: comedy. Three friends wake up from a bachelor party in Las Vegas.",
            "m:interstellar", "Interstellar (2014). Genres: sci-fi. Explorers travel through a wormhole in space.");

    @BeforeAll
    static void start() {
        kafka = new TestKafka();
        platform = kafka.platform();
        encoder = new MiniLmEncoder(Path.of("target", "models"), 8);
        List<String> ids = List.copyOf(CATALOGUE.keySet());
        float[][] vectors = encoder.encode(ids.stream().map(CATALOGUE::get).toList());
        for (int i = 0; i < ids.size(); i++) {
            INDEX.upsert(ids.get(i), vectors[i]);
        }
    }

    @AfterAll
    static void stop() {
        encoder.close();
        kafka.close();
    }

    private static Turn turn(Role role, String text, String... items) {
        return Turn.newBuilder().setRole(role).setText(text).setMentionedItemIds(List.of(items)).build();
    }

    private static Dialogue dialogue(String id, String split) {
        return Dialogue.newBuilder().setDialogueId(id).setDataset("test").setSplit(split).setTurns(List.of(
                turn(Role.SEEKER, "I want something really scary with ghosts and demons, I loved The Conjuring",
                        "m:conjuring"),
                turn(Role.RECOMMENDER, "You should watch Insidious", "m:insidious"))).build();
    }

    @Test
    void aThemedRequestRetrievesThemedItemsButNeverAnAlreadyMentionedOne() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "retriever-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        RetrieverSettings settings = new RetrieverSettings(3, 1000, java.util.Set.of("train"));
        try (TopologyTestDriver driver = new TopologyTestDriver(
                RetrieverTopology.build(platform, encoder, INDEX, settings), props)) {
            TestInputTopic<String, Dialogue> in = driver.createInputTopic(platform.config().topic(Topics.DIALOGUES),
                    Serdes.String().serializer(), platform.valueSerde(Topics.DIALOGUES).serializer());
            TestOutputTopic<String, Candidates> candidates = driver.createOutputTopic(
                    platform.config().topic(Topics.CANDIDATES), Serdes.String().deserializer(),
                    platform.valueSerde(Topics.CANDIDATES).deserializer());
            TestOutputTopic<String, ContextEmbedding> embeddings = driver.createOutputTopic(
                    platform.config().topic(Topics.EMBEDDINGS), Serdes.String().deserializer(),
                    platform.valueSerde(Topics.EMBEDDINGS).deserializer());

            in.pipeInput("d:train", dialogue("d:train", "train"));
            in.pipeInput("d:test", dialogue("d:test", "test"));

            List<Candidates> out = candidates.readValuesToList();
            assertThat(out).singleElement().satisfies(c -> {
                assertThat(c.getContextId()).isEqualTo("d:train#1");
                assertThat(c.getEncoderId()).isEqualTo(encoder.id());
                assertThat(c.getItems()).extracting(Candidate::getItemId).doesNotContain("m:conjuring")
                        .hasSize(3).first().isEqualTo("m:insidious");
                assertThat(c.getItems()).extracting(Candidate::getRank).containsExactly(0, 1, 2);
            });
            // test contexts get vectors (for evaluation) but no candidates (no labels are made for them)
            assertThat(embeddings.readValuesToList()).extracting(ContextEmbedding::getId)
                    .containsExactly("d:train#1", "d:test#1");
        }
    }
}
