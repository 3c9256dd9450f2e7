package org.crsaug.model.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.schema.Item;
import org.crsaug.schema.Role;
import org.crsaug.schema.SimulatedTurn;
import org.crsaug.schema.SimulationEpisode;
import org.crsaug.schema.Turn;
import org.junit.jupiter.api.Test;

/**
 * The protocol on a hand-made catalogue of four films and a recommender whose ranking can be worked out
 * by hand: it scores a film by how many of its genres, director and stars the dialogue names. The target's
 * rank at every turn, recall per turn and the mean turn of success are therefore known in advance.
 */
class SimulationTest {

    private static final Map<String, Item> ITEMS = new LinkedHashMap<>();

    static {
        item("t:0", "Alpha Road (1995)", 1995, "horror", "Ann Lee", "Bo Chan");
        item("t:1", "Bravo Point (2005)", 2005, "comedy", "Cy Moe", "Di Fox");
        item("t:2", "Charlie Hill (1985)", 1985, "comedy", "Ann Lee", "Ed Roe");
        item("t:3", "Delta Bay (1995)", 1995, "comedy", "Cy Moe", "Ed Roe");
    }

    private static void item(String id, String title, int year, String genre, String director, String star) {
        ITEMS.put(id, Item.newBuilder().setItemId(id).setDataset("t").setTitle(title).setYear(year)
                .setGenres(List.of(genre)).setDirectors(List.of(director)).setWriters(List.of())
                .setStars(List.of(star)).setPlot(null).setHasMetadata(true).build());
    }

    /** Score = how many of the film's genre, director and star the dialogue's words name. */
    private static final class KeywordRanker implements TurnRanker {
        int calls;

        @Override
        public List<String> itemIds() {
            return List.copyOf(ITEMS.keySet());
        }

        @Override
        public float[][] score(List<DialogueContext> dialogues) {
            calls++;
            float[][] out = new float[dialogues.size()][];
            for (int d = 0; d < out.length; d++) {
                StringBuilder text = new StringBuilder();
                dialogues.get(d).history().forEach(t -> text.append(t.getText().toLowerCase(Locale.ROOT)).append(' '));
                List<Item> items = List.copyOf(ITEMS.values());
                out[d] = new float[items.size()];
                for (int i = 0; i < items.size(); i++) {
                    Item it = items.get(i);
                    for (String word : List.of(it.getGenres().get(0), it.getDirectors().get(0), it.getStars().get(0))) {
                        if (text.indexOf(word.toLowerCase(Locale.ROOT)) >= 0) {
                            out[d][i]++;
                        }
                    }
                }
            }
            return out;
        }
    }

    /** One test context with two gold items, t:3 and t:2; the seeker's opening says nothing the ranker reads. */
    private static final DialogueContext CONTEXT = new DialogueContext("t:d1#1", "t:d1", "t", "test", 1,
            List.of(Turn.newBuilder().setRole(Role.SEEKER).setText("Hi! Any film for tonight?")
                    .setMentionedItemIds(List.of()).build()),
            List.of("t:3", "t:2", "t:unknown"), Set.of());

    @Test
    void ranksRecallAndTurnsToSuccessAreTheOnesWorkedOutByHand() {
        KeywordRanker ranker = new KeywordRanker();
        Simulation.Result result = Simulation.run(List.of(CONTEXT), ITEMS, ranker, new AttributeSeeker(),
                new Simulation.Settings("cp-1", "t", 5), 42L);

        assertThat(result.pairsOutsideCatalogue()).isEqualTo(1);
        assertThat(result.simulationId()).isEqualTo("cp-1|attributes-v1|turns=5");
        List<SimulationEpisode> episodes = result.episodes();
        assertThat(episodes).extracting(SimulationEpisode::getTargetItemId).containsExactly("t:3", "t:2");

        // target t:3. Turn 1: nothing said, all tie, position order: rank 4; Alpha Road is named and rejected.
        // Turn 2 (genres: comedy): t:1, t:2, t:3 score 1: rank 3; Bravo Point named. Turn 3 (director Cy Moe):
        // t:3 scores 2, first.
        SimulationEpisode delta = episodes.get(0);
        assertThat(delta.getTurns()).extracting(SimulatedTurn::getTargetRank).containsExactly(4, 3, 1);
        assertThat(delta.getTurns()).extracting(SimulatedTurn::getRevealed)
                .containsExactly("context", "genres", "director");
        assertThat(delta.getTurns()).extracting(SimulatedTurn::getShownItemId).containsExactly("t:0", "t:1", null);
        assertThat(delta.getTurns().get(0).getRecommenderText()).isEqualTo("How about Alpha Road (1995)?");
        assertThat(delta.getTurns().get(2).getSeekerText()).contains("Cy Moe").doesNotContain("Delta");
        assertThat(delta.getSuccessTurns()).containsExactlyInAnyOrderEntriesOf(Map.of("1", 3, "10", 1, "50", 1));
        // a rejected suggestion is mentioned from then on, so it is never ranked again
        assertThat(delta.getTurns().get(2).getTopItemIds()).containsExactly("t:3", "t:2");

        // target t:2. Turn 1: rank 3; Alpha Road named. Turn 2 (comedy): rank 2 behind t:1; Bravo Point named.
        // Turn 3 (Ann Lee): t:2 scores 2, first.
        SimulationEpisode charlie = episodes.get(1);
        assertThat(charlie.getTurns()).extracting(SimulatedTurn::getTargetRank).containsExactly(3, 2, 1);
        assertThat(charlie.getSuccessTurns()).containsEntry("1", 3);
        // both episodes went through turn 3 together: one batch per turn
        assertThat(ranker.calls).isEqualTo(3);

        SimulationSummary s = SimulationSummary.of(episodes, 5, Simulation.KS);
        assertThat(s.episodes()).isEqualTo(2);
        assertThat(s.recall()[0]).containsExactly(0.0, 1.0, 1.0);
        assertThat(s.recall()[1]).containsExactly(0.0, 1.0, 1.0);
        assertThat(s.recall()[2]).containsExactly(1.0, 1.0, 1.0);
        assertThat(s.finalRecall(0)).isEqualTo(1.0);
        assertThat(s.meanTurns()[0]).isCloseTo(3.0, within(1e-9));
        assertThat(s.meanTurns()[1]).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void fewerTurnsStopBeforeTheDirectorAndTheSameRunSaysTheSameWords() {
        Simulation.Settings two = new Simulation.Settings("cp-1", "t", 2);
        Simulation.Result first = Simulation.run(List.of(CONTEXT), ITEMS, new KeywordRanker(), new AttributeSeeker(),
                two, 1L);
        Simulation.Result again = Simulation.run(List.of(CONTEXT), ITEMS, new KeywordRanker(), new AttributeSeeker(),
                two, 1L);
        assertThat(again.episodes()).isEqualTo(first.episodes());
        assertThat(first.episodes().get(0).getTurns()).extracting(SimulatedTurn::getTargetRank).containsExactly(4, 3);
        // the last turn has no reply: the episode ends there
        assertThat(first.episodes().get(0).getTurns().get(1).getShownItemId()).isNull();
        SimulationSummary s = SimulationSummary.of(first.episodes(), 2, Simulation.KS);
        assertThat(s.finalRecall(0)).isZero();
        assertThat(s.meanTurns()[0]).isNaN();
        assertThat(s.successes()).containsExactly(0, 2, 2);
    }
}
