package org.crsaug.launcher.experiment;

import java.util.List;
import java.util.Map;
import org.crsaug.model.recommender.TrainingMode;

/**
 * What one experiment compares. Label variants each get their own namespace of topics (their own
 * retrieval and judging); every training variant then trains on the same snapshot of those labels.
 *
 * @param alphas    fine-tuning KL weights swept with two-stage training (first backbone)
 * @param sizes     shares of the augmented labels kept, swept with two-stage training (first backbone)
 * @param catalogues item catalogues every comparison is repeated under ({@code metadata}: the items with
 *                  descriptive metadata, as the method's tables; {@code all}: every title); sweeps use the first
 */
public record ExperimentPlan(String dataset, int seeds, List<String> backbones, List<TrainingMode> modes,
        List<Double> alphas, List<Double> sizes, List<LabelVariant> labelVariants, List<String> catalogues,
        int bootstrapResamples) {

    /** A way of making augmented labels: a name and the settings that differ from the base configuration. */
    public record LabelVariant(String name, Map<String, String> overrides) {
    }

    public ExperimentPlan {
        if (seeds < 1) {
            throw new org.crsaug.platform.config.ConfigException("--seeds must be at least 1, got " + seeds);
        }
        if (backbones.isEmpty() || modes.isEmpty() || labelVariants.isEmpty() || catalogues.isEmpty()) {
            throw new org.crsaug.platform.config.ConfigException(
                    "An experiment needs at least one backbone, mode, label variant and catalogue");
        }
        for (String c : catalogues) {
            if (!c.equals("metadata") && !c.equals("all")) {
                throw new org.crsaug.platform.config.ConfigException("--catalogues are 'metadata' or 'all', got '" + c + "'");
            }
        }
        if (!modes.contains(TrainingMode.BASELINE)) {
            throw new org.crsaug.platform.config.ConfigException("--modes must include baseline: every result is compared with it");
        }
        for (double s : sizes) {
            if (s <= 0 || s > 1) {
                throw new org.crsaug.platform.config.ConfigException("--sizes are shares in (0, 1], got " + s);
            }
        }
    }
}
