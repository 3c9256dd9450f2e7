package org.crsaug.model.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Item;
import org.crsaug.schema.Role;
import org.crsaug.schema.SimulationEpisode;
import org.crsaug.schema.Turn;
import org.crsaug.testkit.FakeChatServer;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The LLM seeker against the fake OpenAI-compatible server: it is given facts, not the title; a reply that
 * names the target is rewritten once, a second one makes the episode invalid (and counted); every outcome
 * lands in the seeker cache, so a second seeker on the same topic makes no call.
 */
class LlmSeekerTest {

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    private static final Item THRILLER = item("t:0", "Night Train (1994)", "Thriller", "Ann Lee");
    private static final Item COMEDY = item("t:1", "Delta Bay (1995)", "Comedy", "Cy Moe");
    private static final Item HORROR = item("t:2", "Alpha Road (1995)", "Horror", "Bo Chan");
    private static final Map<String, Item> ITEMS = Map.of("t:0", THRILLER, "t:1", COMEDY, "t:2", HORROR);
    private static final String REWRITE_ASKED = "named the film you are looking for";

    private static Item item(String id, String title, String genre, String director) {
        return Item.newBuilder().setItemId(id).setDataset("t").setTitle(title).setYear(1995).setGenres(List.of(genre))
                .setPlot(null).setDirectors(List.of(director)).setWriters(List.of()).setStars(List.of("Di Fox"))
                .setHasMetadata(true).build();
    }

    /** The fake seeker model: plain for a thriller, leaks a comedy's title once, a horror film's every time. */
    private static String answer(FakeChatServer.Request r) {
        String facts = r.firstUser();
        boolean askedAgain = r.lastUser().contains(REWRITE_ASKED);
        if (facts.contains("genres: thriller")) {
            return "Not that one. Something tense, directed by Ann Lee.";
        }
        if (facts.contains("genres: comedy")) {
            return askedAgain ? "No. A comedy by Cy Moe, please." : "No, I want Delta Bay!";
        }
        return "It's ALPHA ROAD, obviously.";
    }

    private static final List<Turn> DIALOGUE = List.of(
            Turn.newBuilder().setRole(Role.SEEKER).setText("Hi! Any film for tonight?").setMentionedItemIds(List.of())
                    .build(),
            Turn.newBuilder().setRole(Role.RECOMMENDER).setText("How about Some Other Film (2001)?")
                    .setMentionedItemIds(List.of("t:9")).build());

    @Test
    void speaksFromFactsRewritesOneLeakCountsASecondAndNeverPaysTwice() throws Exception {
        try (FakeChatServer server = new FakeChatServer().responder(LlmSeekerTest::answer)) {
            Platform platform = kafka.platform(Map.of("scorer.llm.base.url", server.baseUrl(),
                    "scorer.llm.model", "fake-seeker", "simulator.kind", "llm"));
            CrsConfig config = platform.config();
            Map<String, String> env = Map.of("OPENAI_API_KEY", "test-key");
            SeekerSimulator.Reply plain;
            SeekerSimulator.Reply rewritten;
            SeekerSimulator.Reply named;
            try (SeekerSimulator seeker = Seekers.create(config, env, platform)) {
                assertThat(seeker.name()).isEqualTo("llm");
                assertThat(seeker.version()).startsWith("seeker-v1@").endsWith("@fake-seeker");
                plain = seeker.reply(new SeekerSimulator.Request("c#1|t:0", THRILLER, DIALOGUE, 2));
                assertThat(server.requests()).hasSize(1);
                rewritten = seeker.reply(new SeekerSimulator.Request("c#1|t:1", COMEDY, DIALOGUE, 2));
                assertThat(server.requests()).hasSize(3);
                named = seeker.reply(new SeekerSimulator.Request("c#1|t:2", HORROR, DIALOGUE, 2));
                assertThat(server.requests()).hasSize(5);
            }
            assertThat(plain).isEqualTo(SeekerSimulator.Reply.of("Not that one. Something tense, directed by Ann Lee.",
                    LlmSeeker.REVEALED));
            assertThat(rewritten.valid()).isTrue();
            assertThat(rewritten.text()).isEqualTo("No. A comedy by Cy Moe, please.");
            assertThat(named.valid()).isFalse();
            assertThat(named.invalidReason()).isEqualTo(LlmSeeker.NAMED_TWICE);

            // what the model was told: rules, the dialogue quoted as data, the facts, and never the title
            FakeChatServer.Request first = server.requests().get(0);
            assertThat(first.messages().get(0)[0]).isEqualTo("system");
            assertThat(first.messages().get(0)[1]).contains("never say its title");
            assertThat(first.firstUser()).contains("<<<CONVERSATION", "Seeker: Hi! Any film for tonight?",
                    "Recommender: How about Some Other Film (2001)?", "CONVERSATION>>>", "genres: thriller",
                    "directed by Ann Lee", "starring Di Fox", "released in the 1990s").doesNotContain("Night Train");
            // the rewrite request carries the leaked reply and the reason
            FakeChatServer.Request again = server.requests().get(2);
            assertThat(again.messages()).hasSize(4);
            assertThat(again.messages().get(2)).containsExactly("assistant", "No, I want Delta Bay!");
            assertThat(again.lastUser()).contains(REWRITE_ASKED);
            assertThat(TestKafka.readAll(platform, Topics.SEEKER_UTTERANCES, 3, java.time.Duration.ofSeconds(30)))
                    .hasSize(3);

            // a second seeker on the same cache: the same words, no call
            try (SeekerSimulator seeker = Seekers.create(config, env, platform)) {
                assertThat(seeker.reply(new SeekerSimulator.Request("c#1|t:0", THRILLER, DIALOGUE, 2))).isEqualTo(plain);
                assertThat(seeker.reply(new SeekerSimulator.Request("c#1|t:1", COMEDY, DIALOGUE, 2)))
                        .isEqualTo(rewritten);
                assertThat(seeker.reply(new SeekerSimulator.Request("c#1|t:2", HORROR, DIALOGUE, 2))).isEqualTo(named);
            }
            assertThat(server.requests()).hasSize(5);

            // in a simulation the episode whose seeker named its target twice is invalid and counted, not scored
            DialogueContext context = new DialogueContext("t:d#1", "t:d", "t", "test", 1, DIALOGUE.subList(0, 1),
                    List.of("t:0", "t:1", "t:2"), Set.of());
            TurnRanker indifferent = new TurnRanker() {
                @Override
                public List<String> itemIds() {
                    return List.of("t:9", "t:0", "t:1", "t:2");
                }

                @Override
                public float[][] score(List<DialogueContext> dialogues) {
                    return new float[dialogues.size()][4];
                }
            };
            try (SeekerSimulator seeker = Seekers.create(config, env, platform)) {
                List<SimulationEpisode> episodes = Simulation.run(List.of(context), ITEMS, indifferent, seeker,
                        new Simulation.Settings("cp", "t", 2), 0L).episodes();
                assertThat(episodes).extracting(SimulationEpisode::getValid).containsExactly(true, true, false);
                assertThat(episodes.get(2).getInvalidReason()).isEqualTo("turn 2: " + LlmSeeker.NAMED_TWICE);
                assertThat(episodes.get(1).getTurns().get(1).getSeekerText()).isEqualTo("No. A comedy by Cy Moe, please.");
                SimulationSummary summary = SimulationSummary.of(episodes, 2, Simulation.KS);
                assertThat(summary.episodes()).isEqualTo(2);
                assertThat(summary.invalid()).isEqualTo(1);
            }
        }
    }
}
