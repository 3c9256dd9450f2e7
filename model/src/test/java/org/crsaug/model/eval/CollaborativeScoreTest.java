package org.crsaug.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.crsaug.model.eval.RecallMetrics.Protocol;
import org.crsaug.model.recommender.EvalContext;
import org.junit.jupiter.api.Test;

/** CS@k on cases small enough to work out by hand: fixed recommender scores and fixed collaborative logits. */
class CollaborativeScoreTest {

    private static final float NAN = Float.NaN;

    private static EvalContext context(int... excluded) {
        return new EvalContext(new float[1], new int[] {3}, excluded);
    }

    // context A: item 0 was mentioned; by score the ranking is 0, 2, 3, 1
    private static final float[] SCORES_A = {0.9f, 0.1f, 0.5f, 0.3f};
    private static final float[] LOGITS_A = {10f, 1f, 4f, 2f};
    // context B names nothing the collaborative model knows
    private static final float[] SCORES_B = {0.4f, 0.3f, 0.2f, 0.1f};
    // context C: items 0 and 1 tie, the lower index ranks first: 2, 0, 1, 3; item 1 is unknown to the model
    private static final float[] SCORES_C = {0.2f, 0.2f, 0.9f, 0.0f};
    private static final float[] LOGITS_C = {1f, NAN, 3f, 5f};

    private static Map<String, Double> cs(Protocol protocol, int... ks) {
        return CollaborativeScore.compute(new float[][] {SCORES_A, SCORES_B, SCORES_C},
                List.of(context(0), context(), context()), new float[][] {LOGITS_A, null, LOGITS_C}, protocol, ks);
    }

    @Test
    void meanLogitOfTheTopKPerContextThenOverContextsThatMentionSomething() {
        Map<String, Double> strict = cs(Protocol.STRICT, 1, 2, 3);
        // A: top 2, 3, 1 -> logits 4, 2, 1; C: top 2, 0, 1 -> logits 3, 1, unknown
        assertThat(strict.get("cs@1")).isCloseTo((4 + 3) / 2.0, within(1e-9));
        assertThat(strict.get("cs@2")).isCloseTo(((4 + 2) / 2.0 + (3 + 1) / 2.0) / 2, within(1e-9));
        assertThat(strict.get("cs@3")).isCloseTo(((4 + 2 + 1) / 3.0 + (3 + 1) / 2.0) / 2, within(1e-9));
        assertThat(strict).containsEntry("cs_contexts", 2.0).containsEntry("cs_unknown_items", 1.0);
    }

    @Test
    void theLenientProtocolMayRecommendTheMentionedItem() {
        Map<String, Double> lenient = cs(Protocol.LENIENT, 1, 2);
        // A: top 0, 2 -> logits 10, 4
        assertThat(lenient.get("cs@1")).isCloseTo((10 + 3) / 2.0, within(1e-9));
        assertThat(lenient.get("cs@2")).isCloseTo(((10 + 4) / 2.0 + (3 + 1) / 2.0) / 2, within(1e-9));
    }

    @Test
    void aCutOffBeyondTheCatalogueAveragesWhatCanBeRecommended() {
        Map<String, Double> m = CollaborativeScore.compute(new float[][] {SCORES_A}, List.of(context(0)),
                new float[][] {LOGITS_A}, Protocol.STRICT, CollaborativeScore.KS);
        assertThat(m.get("cs@10")).isCloseTo((4 + 2 + 1) / 3.0, within(1e-9));
        assertThat(m.get("cs@50")).isCloseTo((4 + 2 + 1) / 3.0, within(1e-9));
    }

    @Test
    void withoutAnyContextThatMentionsAKnownItemThereIsNoScore() {
        Map<String, Double> m = CollaborativeScore.compute(new float[][] {SCORES_B}, List.of(context()),
                new float[][] {null}, Protocol.STRICT, CollaborativeScore.KS);
        assertThat(m).doesNotContainKeys("cs@10", "cs@50").containsEntry("cs_contexts", 0.0);
    }

    @Test
    void rowsMustLineUp() {
        assertThatThrownBy(() -> CollaborativeScore.compute(new float[][] {SCORES_A}, List.of(context(0)),
                new float[][] {{1f, 2f}}, Protocol.STRICT, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logit row 0");
        assertThatThrownBy(() -> CollaborativeScore.compute(new float[][] {SCORES_A}, List.of(context(0)),
                new float[0][], Protocol.STRICT, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one row per context");
    }

    @Test
    void topItemsRankLikeRecallDoes() {
        assertThat(TopItems.of(SCORES_C, new int[0], 4)).containsExactly(2, 0, 1, 3);
        assertThat(TopItems.of(new float[] {NAN, 0.1f, -5f}, new int[] {1}, 5)).containsExactly(2, 0);
    }
}
