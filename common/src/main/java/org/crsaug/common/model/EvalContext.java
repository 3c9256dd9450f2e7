package org.crsaug.common.model;

import java.util.Objects;

/**
 * A context to evaluate: the items that count as hits, and the items the strict protocol removes from
 * the ranking because the dialogue already mentioned them (recommending those again is trivial).
 */
public record EvalContext(float[] context, int[] goldItems, int[] excludedItems) {
    public EvalContext {
        Objects.requireNonNull(context, "context");
        goldItems = goldItems == null ? new int[0] : goldItems;
        excludedItems = excludedItems == null ? new int[0] : excludedItems;
    }
}
