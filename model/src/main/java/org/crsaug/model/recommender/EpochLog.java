package org.crsaug.model.recommender;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One epoch of one stage.
 *
 * @param stage      "pretrain", "finetune", "baseline" or "mix"
 * @param epoch      1-based within the stage
 * @param trainLoss  mean per-sample loss over the epoch (cross-entropy plus the weighted KL term where it applies)
 * @param validation validation metrics after the epoch; empty when there is no validation set
 */
public record EpochLog(String stage, int epoch, double trainLoss, Map<String, Double> validation) {
    public EpochLog {
        // keep the caller's key order so logs and reports list recall@1, @10, @50 in sequence
        validation = validation == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(validation));
    }
}
