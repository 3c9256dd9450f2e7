package org.crsaug.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Item;
import org.crsaug.schema.Label;
import org.crsaug.schema.ScoredPair;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link DialogueView} on a real broker, fed records by hand in the orders a live pipeline can produce
 * them: a score read before its candidates, a re-judged pair, a record that is not the scorer's, and more
 * dialogues than the view keeps.
 */
class DialogueViewTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Test
    void fillsEachContextFromWhicheverTopicComesFirstAndKeepsOnlyTheMostRecentDialogues() {
        Platform platform = kafka.platform(Map.of("topic.prefix", "view."));
        TestKafka.send(platform, Topics.ITEMS, "inspired:1", Item.newBuilder().setItemId("inspired:1")
                .setDataset("inspired").setTitle("Heat (1995)").build());
        // the score first: the scorer's topics and the retriever's are read independently
        TestKafka.send(platform, Topics.SCORED_PAIRS, "inspired:d1#2|inspired:1", pair("inspired:d1#2", 3f, "llm"));
        TestKafka.send(platform, Topics.SCORED_PAIRS, "garbage|inspired:1", pair("no-turn-separator", 1f, "llm"));
        TestKafka.send(platform, Topics.CANDIDATES, "inspired:d1#2", candidates("inspired:d1", "inspired:d1#2"));
        TestKafka.send(platform, Topics.AUGMENTED_LABELS, "inspired:d1#2", labels("inspired:d1", "inspired:d1#2"));
        // judged again later: the newer score replaces the older one
        TestKafka.send(platform, Topics.SCORED_PAIRS, "inspired:d1#2|inspired:1", pair("inspired:d1#2", 4f, "llm-v2"));

        try (DialogueView view = new DialogueView(platform, "test-view", 2)) {
            view.catchUp(TIMEOUT);
            DialogueView.DialogueReport d1 = view.dialogue("inspired:d1").orElseThrow();
            assertThat(d1.contexts()).hasSize(1);
            DialogueView.ContextReport c = d1.contexts().get(0);
            assertThat(c.turnIndex()).isEqualTo(2);
            assertThat(c.candidateCount()).isEqualTo(1);
            assertThat(c.scoredPairs()).containsExactly(
                    new DialogueView.ScoredItem("inspired:1", "Heat (1995)", 4f, "llm-v2"));
            assertThat(c.labels()).containsExactly(new DialogueView.LabelItem("inspired:1", "Heat (1995)", 3f));
            assertThat(c.finished().retrieval()).isNotNull();
            assertThat(c.finished().labelling()).isNotNull();
            assertThat(view.labelsLastMinute(System.currentTimeMillis())).isEqualTo(1);
            assertThat(view.labelsPerMinute(System.currentTimeMillis()).values().stream().mapToLong(Long::longValue)
                    .sum()).isEqualTo(1);
            assertThat(view.dialogue("no-turn-separator")).isEmpty();

            // two more dialogues in a view that keeps two: the least recently used one (d1) goes
            TestKafka.send(platform, Topics.CANDIDATES, "inspired:d2#1", candidates("inspired:d2", "inspired:d2#1"));
            TestKafka.send(platform, Topics.CANDIDATES, "inspired:d3#1", candidates("inspired:d3", "inspired:d3#1"));
            view.catchUp(TIMEOUT);
            assertThat(view.dialogue("inspired:d1")).isEmpty();
            assertThat(view.dialogue("inspired:d2")).isPresent();
            DialogueView.ContextReport d3 = view.dialogue("inspired:d3").orElseThrow().contexts().get(0);
            // retrieved, not yet judged: the later stages are null, not empty
            assertThat(d3.scoredPairs()).isEmpty();
            assertThat(d3.labels()).isNull();
            assertThat(d3.finished().scoring()).isNull();
        }
    }

    private static ScoredPair pair(String contextId, float score, String judge) {
        return ScoredPair.newBuilder().setContextId(contextId).setItemId("inspired:1").setScore(score)
                .setJudgeId(judge).setJudgeVersion("1").build();
    }

    private static Candidates candidates(String dialogueId, String contextId) {
        return Candidates.newBuilder().setContextId(contextId).setDialogueId(dialogueId).setEncoderId("e")
                .setContextText("Seeker: something tense").setItems(List.of(Candidate.newBuilder()
                        .setItemId("inspired:1").setRank(1).setRetrievalScore(0.5f).build())).build();
    }

    private static AugmentedLabels labels(String dialogueId, String contextId) {
        return AugmentedLabels.newBuilder().setContextId(contextId).setDialogueId(dialogueId)
                .setLabels(List.of(Label.newBuilder().setItemId("inspired:1").setScore(3f).build()))
                .setThreshold(2f).setJudgeId("llm").setJudgeVersion("1").setCandidateCount(1).build();
    }
}
