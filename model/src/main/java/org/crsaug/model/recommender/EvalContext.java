package org.crsaug.model.recommender;

import java.util.Objects;

/**
 * A context to evaluate: the items that count as hits, the items the strict protocol removes from
 * the ranking because the dialogue already mentioned them (recommending those again is trivial), and
 * the mentioned items in order of first mention, which a backbone with a collaborative path takes as input.
 */
public record EvalContext(float[] context, int[] goldItems, int[] excludedItems, int[] mentioned) {
    public EvalContext {
        Objects.requireNonNull(context, "context");
        goldItems = goldItems == null ? new int[0] : goldItems;
        excludedItems = excludedItems == null ? new int[0] : excludedItems;
        mentioned = mentioned == null ? excludedItems : mentioned;
    }

    /** The mentioned items are the excluded ones (their order does not matter to the bag-of-items path). */
    public EvalContext(float[] context, int[] goldItems, int[] excludedItems) {
        this(context, goldItems, excludedItems, null);
    }
}
