package org.crsaug.model.recommender;

import java.util.List;

/**
 * Everything one training run consumes. Contexts must all have the same dimension; when
 * {@code itemVectors} is given it must have that dimension too, since the item side lives in the
 * context space (that is what lets encoded item descriptions serve as a warm start).
 *
 * @param itemVectors one row per item, or null to start the item side from random values
 * @param real        examples with the dataset's own labels (may be empty only for AUG_ONLY)
 * @param augmented   examples with LLM-judged labels (ignored by BASELINE)
 * @param validation  contexts for model selection; empty disables early stopping and keeps the last epoch
 */
public record TrainingData(int numItems, float[][] itemVectors, List<Example> real, List<Example> augmented,
                           List<EvalContext> validation) {
    public TrainingData {
        if (numItems <= 0) {
            throw new IllegalArgumentException("numItems must be positive, got " + numItems);
        }
        if (itemVectors != null && itemVectors.length != numItems) {
            throw new IllegalArgumentException("itemVectors has " + itemVectors.length + " rows but numItems is " + numItems);
        }
        real = real == null ? List.of() : List.copyOf(real);
        augmented = augmented == null ? List.of() : List.copyOf(augmented);
        validation = validation == null ? List.of() : List.copyOf(validation);
    }

    /** The context dimension, taken from the first context found; -1 when there are no contexts at all. */
    public int contextDim() {
        for (List<Example> list : List.of(real, augmented)) {
            if (!list.isEmpty()) {
                return list.get(0).context().length;
            }
        }
        return validation.isEmpty() ? -1 : validation.get(0).context().length;
    }
}
