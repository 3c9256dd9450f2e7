package org.crsaug.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.crsaug.model.eval.RecallMetrics.Protocol;
import org.crsaug.model.recommender.EvalContext;
import org.junit.jupiter.api.Test;

class RecallMetricsTest {

    private static EvalContext ctx(int[] gold, int[] excluded) {
        return new EvalContext(new float[] {0f}, gold, excluded);
    }

    @Test
    void strictDropsMentionedItemFromTheRankingLenientKeepsIt() {
        float[][] scores = {{0.9f, 0.5f, 0.7f, 0.1f}};
        List<EvalContext> c = List.of(ctx(new int[] {2}, new int[] {0}));

        Map<String, Double> strict = RecallMetrics.compute(scores, c, Protocol.STRICT, 1, 2);
        Map<String, Double> lenient = RecallMetrics.compute(scores, c, Protocol.LENIENT, 1, 2);

        // strict ranking: 2, 1, 3 -> gold first; lenient ranking: 0, 2, 1, 3 -> gold second
        assertThat(strict.get("recall@1")).isEqualTo(1.0);
        assertThat(lenient.get("recall@1")).isEqualTo(0.0);
        assertThat(lenient.get("recall@2")).isEqualTo(1.0);
        assertThat(strict.get("coverage@1")).isEqualTo(0.25);
        assertThat(lenient.get("coverage@2")).isEqualTo(0.5); // items 0 and 2
    }

    @Test
    void goldItemThatWasMentionedIsNotAPairUnderStrict() {
        float[][] scores = {{0.9f, 0.5f, 0.7f, 0.1f}};
        List<EvalContext> c = List.of(ctx(new int[] {0, 3}, new int[] {0}));

        Map<String, Double> strict = RecallMetrics.compute(scores, c, Protocol.STRICT, 1, 3);
        Map<String, Double> lenient = RecallMetrics.compute(scores, c, Protocol.LENIENT, 1, 3);

        assertThat(strict.get("pairs")).isEqualTo(1.0);
        assertThat(strict.get("recall@3")).isEqualTo(1.0); // item 3 is third of the remaining 2, 1, 3
        assertThat(strict.get("recall@1")).isEqualTo(0.0);
        assertThat(lenient.get("pairs")).isEqualTo(2.0);
        assertThat(lenient.get("recall@1")).isEqualTo(0.5); // item 0 first, item 3 fourth
        assertThat(lenient.get("recall@3")).isEqualTo(0.5);
    }

    @Test
    void tiesGoToTheLowerIndex() {
        float[][] scores = {{0.5f, 0.5f, 0.5f, 0.1f}, {0.5f, 0.5f, 0.5f, 0.1f}};
        List<EvalContext> c = List.of(ctx(new int[] {1}, null), ctx(new int[] {0}, null));

        Map<String, Double> m = RecallMetrics.compute(scores, c, Protocol.LENIENT, 1, 2);

        assertThat(m.get("recall@1")).isEqualTo(0.5); // item 0 beats item 1 on the tie
        assertThat(m.get("recall@2")).isEqualTo(1.0);
        assertThat(m.get("coverage@1")).isEqualTo(0.25);
    }

    @Test
    void pairsAreWeightedPerGoldItemAndDuplicatesCountOnce() {
        float[][] scores = {{3f, 2f, 1f, 0f}, {0f, 1f, 2f, 3f}};
        List<EvalContext> c = List.of(ctx(new int[] {0, 1, 2, 2}, null), ctx(new int[] {0}, null));

        Map<String, Double> m = RecallMetrics.compute(scores, c, Protocol.STRICT, 1);

        assertThat(m.get("pairs")).isEqualTo(4.0);
        assertThat(m.get("recall@1")).isEqualTo(0.25);
        assertThat(m.get("coverage@1")).isEqualTo(0.5); // items 0 and 3
    }

    @Test
    void subsetRecallOnlyCountsPairsWhoseGoldIsInTheSubset() {
        float[][] scores = {{3f, 2f, 1f, 0f}, {3f, 2f, 1f, 0f}};
        List<EvalContext> c = List.of(ctx(new int[] {0}, null), ctx(new int[] {3}, null));

        Map<String, Double> m = RecallMetrics.compute(scores, c, Protocol.STRICT, new int[] {3}, 1, 4);

        assertThat(m.get("recall@1")).isEqualTo(0.5);
        assertThat(m.get("tail_pairs")).isEqualTo(1.0);
        assertThat(m.get("tail_recall@1")).isEqualTo(0.0);
        assertThat(m.get("tail_recall@4")).isEqualTo(1.0);
        assertThat(RecallMetrics.compute(scores, c, Protocol.STRICT, 1)).doesNotContainKey("tail_recall@1");
    }

    @Test
    void kLargerThanCatalogueAndNaNScoresAreHandled() {
        float[][] scores = {{Float.NaN, 1f, 2f}};
        List<EvalContext> c = List.of(ctx(new int[] {0}, null));

        Map<String, Double> m = RecallMetrics.compute(scores, c, Protocol.STRICT, 2, 50);

        assertThat(m.get("recall@2")).isEqualTo(0.0); // NaN ranks last
        assertThat(m.get("recall@50")).isEqualTo(1.0);
        assertThat(m.get("coverage@50")).isEqualTo(1.0);
    }

    @Test
    void matchesAFullSortOnRandomScoresWithTies() {
        Random rng = new Random(7);
        int items = 300;
        int n = 80;
        float[][] scores = new float[n][items];
        List<EvalContext> contexts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < items; j++) {
                scores[i][j] = rng.nextInt(40); // coarse values force many ties
            }
            contexts.add(ctx(rng.ints(3, 0, items).toArray(), rng.ints(5, 0, items).toArray()));
        }
        int[] ks = {1, 5, 10, 50};

        Map<String, Double> fast = RecallMetrics.compute(scores, contexts, Protocol.STRICT, ks);

        long pairs = 0;
        long[] hits = new long[ks.length];
        Set<Integer>[] covered = new Set[ks.length];
        for (int k = 0; k < ks.length; k++) {
            covered[k] = new HashSet<>();
        }
        for (int i = 0; i < n; i++) {
            float[] s = scores[i];
            Set<Integer> excl = new HashSet<>();
            Arrays.stream(contexts.get(i).excludedItems()).forEach(excl::add);
            List<Integer> ranking = IntStream.range(0, items).boxed().filter(x -> !excl.contains(x))
                    .sorted(Comparator.<Integer>comparingDouble(x -> -s[x]).thenComparingInt(x -> x)).toList();
            for (int k = 0; k < ks.length; k++) {
                covered[k].addAll(ranking.subList(0, ks[k]));
            }
            for (int gold : Arrays.stream(contexts.get(i).goldItems()).distinct().toArray()) {
                if (excl.contains(gold)) {
                    continue;
                }
                pairs++;
                int rank = ranking.indexOf(gold);
                for (int k = 0; k < ks.length; k++) {
                    if (rank < ks[k]) {
                        hits[k]++;
                    }
                }
            }
        }
        assertThat(fast.get("pairs")).isEqualTo((double) pairs);
        for (int k = 0; k < ks.length; k++) {
            assertThat(fast.get("recall@" + ks[k])).isCloseTo((double) hits[k] / pairs, within(1e-12));
            assertThat(fast.get("coverage@" + ks[k])).isCloseTo(covered[k].size() / (double) items, within(1e-12));
        }
    }

    @Test
    void rejectsMismatchedInput() {
        float[][] scores = {{1f, 2f}};
        assertThatThrownBy(() -> RecallMetrics.compute(scores, List.of(), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecallMetrics.compute(scores, List.of(ctx(new int[] {5}, null)), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the catalogue");
        assertThat(Protocol.parse(" Lenient ")).isEqualTo(Protocol.LENIENT);
    }
}
