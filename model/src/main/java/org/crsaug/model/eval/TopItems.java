package org.crsaug.model.eval;

import java.util.PriorityQueue;

/**
 * The k best items of one score row, best first, in the order {@link RecallMetrics} ranks them: higher score
 * first, then the lower item index, NaN last; excluded items (the strict protocol's mentioned ones) never.
 * For metrics that look at what a model recommends rather than where the gold item landed (S@k, CS@k).
 */
public final class TopItems {

    private TopItems() {
    }

    /**
     * @param excluded item positions that may not be recommended (may be empty)
     * @return at most {@code k} positions, fewer when the catalogue minus the excluded items is smaller
     */
    public static int[] of(float[] scores, int[] excluded, int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        boolean[] skip = new boolean[scores.length];
        for (int e : excluded) {
            if (e < 0 || e >= scores.length) {
                throw new IllegalArgumentException("excluded item " + e + " is outside the catalogue of " + scores.length);
            }
            skip[e] = true;
        }
        // a bounded heap whose root is the worst item kept so far
        PriorityQueue<Integer> kept = new PriorityQueue<>(k + 1, (a, b) -> better(scores, a, b) ? 1 : a.equals(b) ? 0 : -1);
        for (int i = 0; i < scores.length; i++) {
            if (skip[i]) {
                continue;
            }
            kept.add(i);
            if (kept.size() > k) {
                kept.poll();
            }
        }
        int[] out = new int[kept.size()];
        for (int r = out.length - 1; r >= 0; r--) {
            out[r] = kept.poll();
        }
        return out;
    }

    /** Whether item {@code a} ranks above item {@code b}. */
    static boolean better(float[] s, int a, int b) {
        float x = Float.isNaN(s[a]) ? Float.NEGATIVE_INFINITY : s[a];
        float y = Float.isNaN(s[b]) ? Float.NEGATIVE_INFINITY : s[b];
        return x > y || (x == y && a < b);
    }
}
