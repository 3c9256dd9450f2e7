package org.crsaug.model.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.crsaug.model.eval.RecallMetrics.Protocol;
import org.crsaug.model.recommender.EvalContext;

/**
 * CS@k, the collaborative score of the method's Table 5: how strongly a collaborative-filtering model trained
 * on the original dialogues links a recommender's top-k items to the items the dialogue already named.
 *
 * <p>For one context, CS@k is the mean, over the recommender's k best items (ranked as {@link RecallMetrics}
 * ranks them, so the strict protocol leaves mentioned items out), of the collaborative model's logit for that
 * item given the context's mentioned items: the unnormalised score, not a probability, as the method defines
 * it. The reported CS@k is the mean over contexts. A context whose dialogue named no item the collaborative
 * model knows has nothing to condition on and is not counted ({@code cs_contexts} says how many were); a
 * recommended item the collaborative model does not know (a NaN logit) is left out of its context's mean and
 * counted in {@code cs_unknown_items}. With no context counted, the {@code cs@k} keys are absent.
 */
public final class CollaborativeScore {

    /** The cut-offs the method reports. */
    public static final int[] KS = {10, 50};

    private CollaborativeScore() {
    }

    /**
     * @param scores   the recommender's scores, one row per context, one column per catalogue item
     * @param logits   per context, the collaborative model's logit of every item of the same catalogue (NaN for
     *                 items it does not know), or a null row for a context it has nothing to condition on
     * @return {@code cs@k} for each k (absent when no context counted), {@code cs_contexts}, {@code cs_unknown_items}
     */
    public static Map<String, Double> compute(float[][] scores, List<EvalContext> contexts, float[][] logits,
                                              Protocol protocol, int... ks) {
        Objects.requireNonNull(protocol, "protocol");
        if (scores.length != contexts.size() || logits.length != contexts.size()) {
            throw new IllegalArgumentException("scores (" + scores.length + " rows) and logits (" + logits.length
                    + " rows) must have one row per context (" + contexts.size() + ")");
        }
        int[] cuts = Arrays.stream(ks == null || ks.length == 0 ? KS : ks).distinct().sorted().toArray();
        if (cuts[0] <= 0) {
            throw new IllegalArgumentException("k must be positive, got " + cuts[0]);
        }
        double[] sums = new double[cuts.length];
        long[] counted = new long[cuts.length];
        long contextsWithMentions = 0;
        long unknown = 0;
        int[] none = new int[0];
        for (int c = 0; c < scores.length; c++) {
            float[] z = logits[c];
            if (z == null) {
                continue;
            }
            if (z.length != scores[c].length) {
                throw new IllegalArgumentException("logit row " + c + " has " + z.length + " items, the score row "
                        + scores[c].length);
            }
            contextsWithMentions++;
            int[] top = TopItems.of(scores[c], protocol == Protocol.STRICT ? contexts.get(c).excludedItems() : none,
                    cuts[cuts.length - 1]);
            double sum = 0;
            int known = 0;
            int next = 0;
            for (int r = 0; r < top.length; r++) {
                float v = z[top[r]];
                if (Float.isNaN(v)) {
                    unknown++;
                } else {
                    sum += v;
                    known++;
                }
                // close every cut-off this rank completes (a short catalogue completes the rest at its end)
                while (next < cuts.length && (r + 1 == cuts[next] || r + 1 == top.length)) {
                    if (known > 0) {
                        sums[next] += sum / known;
                        counted[next]++;
                    }
                    next++;
                }
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < cuts.length; i++) {
            if (counted[i] > 0) {
                m.put("cs@" + cuts[i], sums[i] / counted[i]);
            }
        }
        m.put("cs_contexts", (double) contextsWithMentions);
        m.put("cs_unknown_items", (double) unknown);
        return m;
    }
}
