package org.crsaug.model.eval;

import java.util.PriorityQueue;

/**
 * A score row's best k items as the strict protocol shows them to a user: items mentioned earlier removed,
 * ranked by score, ties to the lower index, NaN last (the order {@link RecallMetrics} ranks by). What S@k
 * judges.
 */
public final class TopItems {

    private TopItems() {
    }

    /** Catalogue positions of the best {@code k} items not in {@code excluded}, best first. */
    public static int[] of(float[] scores, int[] excluded, int k) {
        boolean[] removed = new boolean[scores.length];
        for (int e : excluded) {
            removed[e] = true;
        }
        // worst at the head, so each further item costs one comparison unless it gets in
        PriorityQueue<Integer> best = new PriorityQueue<>((a, b) -> a.equals(b) ? 0 : better(scores, a, b) ? 1 : -1);
        for (int i = 0; i < scores.length; i++) {
            if (removed[i]) {
                continue;
            }
            best.add(i);
            if (best.size() > k) {
                best.poll();
            }
        }
        int[] out = new int[best.size()];
        for (int r = out.length - 1; r >= 0; r--) {
            out[r] = best.poll();
        }
        return out;
    }

    private static boolean better(float[] s, int a, int b) {
        float x = Float.isNaN(s[a]) ? Float.NEGATIVE_INFINITY : s[a];
        float y = Float.isNaN(s[b]) ? Float.NEGATIVE_INFINITY : s[b];
        return x > y || (x == y && a < b);
    }
}
