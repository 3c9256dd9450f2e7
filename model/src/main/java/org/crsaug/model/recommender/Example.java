package org.crsaug.model.recommender;

import java.util.Objects;

/**
 * One training sample: an encoded dialogue prefix, the catalogue positions of the items the dialogue named
 * so far (in order of first mention; only backbones with a collaborative path read them), and one catalogue
 * item it should rank highly. A context with several labels appears as several examples, so each label
 * weighs the same.
 */
public record Example(float[] context, int itemIndex, int[] mentioned) {
    private static final int[] NONE = new int[0];

    public Example {
        Objects.requireNonNull(context, "context");
        if (itemIndex < 0) {
            throw new IllegalArgumentException("itemIndex must be >= 0, got " + itemIndex);
        }
        mentioned = mentioned == null ? NONE : mentioned;
    }

    /** A sample whose dialogue named no items before. */
    public Example(float[] context, int itemIndex) {
        this(context, itemIndex, NONE);
    }
}
