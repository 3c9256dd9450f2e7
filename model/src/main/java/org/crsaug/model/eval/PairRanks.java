package org.crsaug.model.eval;

import java.util.ArrayList;
import java.util.List;
import org.crsaug.model.eval.RecallMetrics.Protocol;
import org.crsaug.model.recommender.EvalContext;

/**
 * The rank of every (context, gold item) pair, in context order then gold order, under the same
 * protocol as {@link RecallMetrics}. Two models evaluated on the same contexts yield aligned arrays,
 * which is what a paired significance test needs.
 */
public final class PairRanks {

    private PairRanks() {
    }

    /** 0-based rank of each gold item among the items that remain candidates; ties go to the lower index. */
    public static int[] compute(float[][] scores, List<EvalContext> contexts, Protocol protocol) {
        List<Integer> ranks = new ArrayList<>();
        for (int c = 0; c < contexts.size(); c++) {
            EvalContext ctx = contexts.get(c);
            float[] row = scores[c];
            boolean[] removed = new boolean[row.length];
            if (protocol == Protocol.STRICT) {
                for (int e : ctx.excludedItems()) {
                    removed[e] = true;
                }
            }
            java.util.Set<Integer> seenGold = new java.util.HashSet<>();
            for (int gold : ctx.goldItems()) {
                if (removed[gold] || !seenGold.add(gold)) {
                    continue;
                }
                float g = row[gold];
                int rank = 0;
                for (int i = 0; i < row.length; i++) {
                    if (i != gold && !removed[i] && (row[i] > g || (row[i] == g && i < gold) || (Float.isNaN(g)
                            && !Float.isNaN(row[i])))) {
                        rank++;
                    }
                }
                ranks.add(rank);
            }
        }
        return ranks.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Share of pairs ranked inside the top k. */
    public static double recallAt(int[] ranks, int k) {
        if (ranks.length == 0) {
            return 0.0;
        }
        int hits = 0;
        for (int r : ranks) {
            if (r < k) {
                hits++;
            }
        }
        return (double) hits / ranks.length;
    }
}
