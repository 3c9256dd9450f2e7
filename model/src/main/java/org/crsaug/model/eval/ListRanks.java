package org.crsaug.model.eval;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.crsaug.model.eval.RecallMetrics.Protocol;
import org.crsaug.model.recommender.EvalContext;

/**
 * The rank of every (context, gold item) pair when a recommender answers with a short list instead of a
 * score for every item (a zero-shot LLM), under the same rules as {@link PairRanks}: pairs in context
 * order then gold order, each gold item once, and under the strict protocol items mentioned earlier removed
 * from the list and from the gold. A gold item the list does not hold is never found: its rank is
 * {@link #NOT_LISTED}, so an unranked tail cannot fill the top k by accident.
 */
public final class ListRanks {

    public static final int NOT_LISTED = Integer.MAX_VALUE;

    private ListRanks() {
    }

    /**
     * @param lists one list of catalogue positions per context, best first; repeats count at their first place
     */
    public static int[] compute(List<int[]> lists, List<EvalContext> contexts, Protocol protocol) {
        if (lists.size() != contexts.size()) {
            throw new IllegalArgumentException(lists.size() + " lists for " + contexts.size() + " contexts");
        }
        List<Integer> ranks = new ArrayList<>();
        for (int c = 0; c < contexts.size(); c++) {
            EvalContext ctx = contexts.get(c);
            Set<Integer> removed = new HashSet<>();
            if (protocol == Protocol.STRICT) {
                for (int e : ctx.excludedItems()) {
                    removed.add(e);
                }
            }
            List<Integer> shown = new ArrayList<>();
            Set<Integer> seen = new HashSet<>();
            for (int item : lists.get(c)) {
                if (!removed.contains(item) && seen.add(item)) {
                    shown.add(item);
                }
            }
            Set<Integer> seenGold = new HashSet<>();
            for (int gold : ctx.goldItems()) {
                if (removed.contains(gold) || !seenGold.add(gold)) {
                    continue;
                }
                int at = shown.indexOf(gold);
                ranks.add(at < 0 ? NOT_LISTED : at);
            }
        }
        return ranks.stream().mapToInt(Integer::intValue).toArray();
    }
}
