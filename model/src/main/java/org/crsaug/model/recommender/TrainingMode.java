package org.crsaug.model.recommender;

import java.util.Locale;

/** Which label sets feed the recommender, and in how many stages. */
public enum TrainingMode {
    /** Real labels only: the control condition. */
    BASELINE,
    /** Pre-train on augmented labels, then fine-tune on real labels with the KL term towards the pre-trained model. */
    TWO_STAGE,
    /** Pre-train on augmented labels and stop: shows what the augmented labels carry on their own. */
    AUG_ONLY,
    /** Augmented and real labels pooled into a single stage: the naive alternative to two stages. */
    MIX;

    /** Accepts enum names as well as the spellings used on command lines ("two-stage", "aug_only", "Mix"). */
    public static TrainingMode parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("Training mode is empty; use one of baseline, two-stage, aug-only, mix");
        }
        String norm = text.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        if (norm.equals("TWOSTAGE")) {
            return TWO_STAGE;
        }
        if (norm.equals("AUGONLY")) {
            return AUG_ONLY;
        }
        try {
            return valueOf(norm);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown training mode '" + text
                    + "'; use one of baseline, two-stage, aug-only, mix", e);
        }
    }

    /** The lower-case, hyphenated spelling that {@link #parse} accepts; used in lineage records and file names. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
