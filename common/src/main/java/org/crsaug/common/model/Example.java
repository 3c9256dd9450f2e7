package org.crsaug.common.model;

import java.util.Objects;

/**
 * One training sample: an encoded dialogue prefix and one catalogue item it should rank highly.
 * A context with several labels appears as several examples, so each label weighs the same.
 */
public record Example(float[] context, int itemIndex) {
    public Example {
        Objects.requireNonNull(context, "context");
        if (itemIndex < 0) {
            throw new IllegalArgumentException("itemIndex must be >= 0, got " + itemIndex);
        }
    }
}
