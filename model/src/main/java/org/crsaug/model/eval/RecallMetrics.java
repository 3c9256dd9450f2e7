package org.crsaug.model.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.crsaug.model.recommender.EvalContext;

/**
 * Recall@k and coverage@k over full-catalogue rankings.
 *
 * <p>Recall is averaged over (context, gold item) pairs, not over contexts, so a context with three gold
 * items weighs three times as much as one with a single gold item; this is how CRS papers usually report it.
 * Under the strict protocol items mentioned earlier in the dialogue can neither be recommended nor count
 * as gold: otherwise a model could score well by repeating what the user just said.
 *
 * <p>Ranks are decided by score, then by lower item index, so results never depend on sort stability;
 * NaN scores rank last. Only the best {@code max(ks)} items of each context are ordered (bounded heap),
 * which keeps a 4000 x 7000 evaluation cheap.
 */
public final class RecallMetrics {

    /** The cut-offs reported by default and used for model selection (recall@50). */
    public static final int[] DEFAULT_KS = {1, 10, 50};

    /** Whether items already mentioned in the dialogue are removed before ranking. */
    public enum Protocol {
        STRICT, LENIENT;

        public static Protocol parse(String text) {
            try {
                return valueOf(Objects.requireNonNull(text, "protocol").trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Unknown evaluation protocol '" + text + "'; use strict or lenient", e);
            }
        }
    }

    private RecallMetrics() {
    }

    /** Strict protocol. */
    public static Map<String, Double> compute(float[][] scores, List<EvalContext> contexts, int... ks) {
        return compute(scores, contexts, Protocol.STRICT, null, ks);
    }

    public static Map<String, Double> compute(float[][] scores, List<EvalContext> contexts, Protocol protocol, int... ks) {
        return compute(scores, contexts, protocol, null, ks);
    }

    /**
     * @param scores     one row per context, one column per catalogue item
     * @param subset     items whose pairs are also reported separately under {@code tail_recall@k} and
     *                   {@code tail_pairs} (typically the long tail); null for none
     * @return recall@k and coverage@k for each k, {@code pairs}, and the subset keys when a subset is given
     */
    public static Map<String, Double> compute(float[][] scores, List<EvalContext> contexts, Protocol protocol,
                                              int[] subset, int... ks) {
        Objects.requireNonNull(scores, "scores");
        Objects.requireNonNull(contexts, "contexts");
        if (scores.length != contexts.size()) {
            throw new IllegalArgumentException("scores has " + scores.length + " rows but there are "
                    + contexts.size() + " contexts");
        }
        if (scores.length == 0) {
            throw new IllegalArgumentException("No contexts to evaluate");
        }
        Accumulator acc = new Accumulator(scores[0].length, protocol, subset, ks);
        for (int i = 0; i < scores.length; i++) {
            acc.add(scores[i], contexts.get(i));
        }
        return acc.result();
    }

    /** Lets callers stream score rows (e.g. batch by batch from a model) instead of holding the whole matrix. */
    public static Accumulator accumulator(int numItems, Protocol protocol, int[] subset, int... ks) {
        return new Accumulator(numItems, protocol, subset, ks);
    }

    /** Not thread-safe; one per evaluation. */
    public static final class Accumulator {
        private final int numItems;
        private final boolean strict;
        private final int[] ks;
        private final int maxK;
        private final boolean[] inSubset;
        private final long[] hits;
        private final long[] subsetHits;
        private long pairs;
        private long subsetPairs;
        private long contexts;
        /** Best (lowest) rank at which each item was recommended in any context; drives coverage. */
        private final int[] bestRank;
        // scratch buffers reused across contexts so a large evaluation does not allocate per row
        private final boolean[] excluded;
        private final boolean[] goldSeen;
        private final int[] heap;
        private final int[] rankOf;

        private Accumulator(int numItems, Protocol protocol, int[] subset, int[] ks) {
            if (numItems <= 0) {
                throw new IllegalArgumentException("numItems must be positive, got " + numItems);
            }
            Objects.requireNonNull(protocol, "protocol");
            if (ks == null || ks.length == 0) {
                ks = DEFAULT_KS;
            }
            int[] sorted = Arrays.stream(ks).distinct().sorted().toArray();
            if (sorted[0] <= 0) {
                throw new IllegalArgumentException("k must be positive, got " + sorted[0]);
            }
            this.numItems = numItems;
            this.strict = protocol == Protocol.STRICT;
            this.ks = sorted;
            this.maxK = Math.min(sorted[sorted.length - 1], numItems);
            if (subset != null) {
                inSubset = new boolean[numItems];
                for (int item : subset) {
                    checkItem(item, "subset");
                    inSubset[item] = true;
                }
            } else {
                inSubset = null;
            }
            hits = new long[sorted.length];
            subsetHits = new long[sorted.length];
            bestRank = new int[numItems];
            Arrays.fill(bestRank, Integer.MAX_VALUE);
            excluded = new boolean[numItems];
            goldSeen = new boolean[numItems];
            heap = new int[maxK];
            rankOf = new int[numItems];
            Arrays.fill(rankOf, -1);
        }

        private void checkItem(int item, String what) {
            if (item < 0 || item >= numItems) {
                throw new IllegalArgumentException(what + " item " + item + " is outside the catalogue of " + numItems);
            }
        }

        public void add(float[] scores, EvalContext ctx) {
            if (scores.length != numItems) {
                throw new IllegalArgumentException("score row has " + scores.length + " items, expected " + numItems);
            }
            contexts++;
            if (strict) {
                for (int item : ctx.excludedItems()) {
                    checkItem(item, "excluded");
                    excluded[item] = true;
                }
            }
            int size = topK(scores);
            for (int r = 0; r < size; r++) {
                int item = heap[r];
                rankOf[item] = r;
                if (r < bestRank[item]) {
                    bestRank[item] = r;
                }
            }
            for (int gold : ctx.goldItems()) {
                checkItem(gold, "gold");
                if (goldSeen[gold] || excluded[gold]) {
                    continue; // duplicates would double-count; excluded gold is unreachable by construction
                }
                goldSeen[gold] = true;
                boolean sub = inSubset != null && inSubset[gold];
                pairs++;
                if (sub) {
                    subsetPairs++;
                }
                int rank = rankOf[gold];
                if (rank < 0) {
                    continue;
                }
                for (int i = 0; i < ks.length; i++) {
                    if (rank < ks[i]) {
                        hits[i]++;
                        if (sub) {
                            subsetHits[i]++;
                        }
                    }
                }
            }
            // undo only what this context touched, keeping the row cost at O(numItems) for the scan alone
            for (int gold : ctx.goldItems()) {
                goldSeen[gold] = false;
            }
            for (int r = 0; r < size; r++) {
                rankOf[heap[r]] = -1;
            }
            if (strict) {
                for (int item : ctx.excludedItems()) {
                    excluded[item] = false;
                }
            }
        }

        /**
         * Fills {@code heap[0..size)} with the best non-excluded items in rank order. The heap keeps its
         * worst member at the root so each remaining item costs one comparison unless it gets in.
         */
        private int topK(float[] scores) {
            int size = 0;
            for (int item = 0; item < numItems; item++) {
                if (excluded[item]) {
                    continue;
                }
                if (size < maxK) {
                    heap[size] = item;
                    siftUp(scores, size);
                    size++;
                } else if (better(scores, item, heap[0])) {
                    heap[0] = item;
                    siftDown(scores, 0, size);
                }
            }
            // heap sort in place: repeatedly move the worst to the end, leaving best-first order
            for (int end = size - 1; end > 0; end--) {
                int t = heap[0];
                heap[0] = heap[end];
                heap[end] = t;
                siftDown(scores, 0, end);
            }
            return size;
        }

        private void siftUp(float[] s, int i) {
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (better(s, heap[parent], heap[i])) {
                    int t = heap[parent];
                    heap[parent] = heap[i];
                    heap[i] = t;
                    i = parent;
                } else {
                    return;
                }
            }
        }

        private void siftDown(float[] s, int i, int size) {
            while (true) {
                int l = 2 * i + 1;
                if (l >= size) {
                    return;
                }
                int worst = l;
                int r = l + 1;
                if (r < size && better(s, heap[l], heap[r])) {
                    worst = r;
                }
                if (better(s, heap[i], heap[worst])) {
                    int t = heap[i];
                    heap[i] = heap[worst];
                    heap[worst] = t;
                    i = worst;
                } else {
                    return;
                }
            }
        }

        private static boolean better(float[] s, int a, int b) {
            float x = Float.isNaN(s[a]) ? Float.NEGATIVE_INFINITY : s[a];
            float y = Float.isNaN(s[b]) ? Float.NEGATIVE_INFINITY : s[b];
            return x > y || (x == y && a < b);
        }

        public Map<String, Double> result() {
            Map<String, Double> m = new LinkedHashMap<>();
            for (int i = 0; i < ks.length; i++) {
                m.put("recall@" + ks[i], pairs == 0 ? 0.0 : (double) hits[i] / pairs);
            }
            for (int k : ks) {
                int covered = 0;
                for (int r : bestRank) {
                    if (r < k) {
                        covered++;
                    }
                }
                m.put("coverage@" + k, (double) covered / numItems);
            }
            m.put("pairs", (double) pairs);
            if (inSubset != null) {
                for (int i = 0; i < ks.length; i++) {
                    m.put("tail_recall@" + ks[i], subsetPairs == 0 ? 0.0 : (double) subsetHits[i] / subsetPairs);
                }
                m.put("tail_pairs", (double) subsetPairs);
            }
            return m;
        }

        public long contexts() {
            return contexts;
        }
    }
}
