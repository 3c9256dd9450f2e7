package org.crsaug.model.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.crsaug.model.recommender.EvalContext;
import org.junit.jupiter.api.Test;

/** The top items S@k judges, and the ranks of a recommender that answers with a list. */
class TopItemsTest {

    @Test
    void theTopItemsFollowTheEvaluatorsOrderWithoutMentionedItems() {
        float[] scores = {0.9f, 0.5f, Float.NaN, 0.5f, 0.7f};
        // item 0 was mentioned; ties go to the lower index, NaN ranks last
        assertThat(TopItems.of(scores, new int[] {0}, 3)).containsExactly(4, 1, 3);
        assertThat(TopItems.of(scores, new int[] {0}, 10)).containsExactly(4, 1, 3, 2);
        assertThat(TopItems.of(scores, new int[0], 1)).containsExactly(0);
    }

    @Test
    void aListRanksWhatItHoldsAndNothingElse() {
        // gold 2 and 3 (3 twice), item 0 mentioned; the list repeats 1 and names the mentioned 0 first
        List<EvalContext> ctx = List.of(new EvalContext(new float[] {1f}, new int[] {2, 3, 3}, new int[] {0}));
        List<int[]> lists = List.<int[]>of(new int[] {0, 1, 1, 2});
        assertThat(ListRanks.compute(lists, ctx, RecallMetrics.Protocol.STRICT))
                .containsExactly(1, ListRanks.NOT_LISTED);
        // lenient: the mentioned item stays in the list and pushes the gold down
        assertThat(ListRanks.compute(lists, ctx, RecallMetrics.Protocol.LENIENT))
                .containsExactly(2, ListRanks.NOT_LISTED);
        // an item that is not listed is never found, however large k is
        assertThat(PairRanks.recallAt(new int[] {1, ListRanks.NOT_LISTED}, 5000)).isEqualTo(0.5);
    }
}
