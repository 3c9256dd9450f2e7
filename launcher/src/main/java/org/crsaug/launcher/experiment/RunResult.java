package org.crsaug.launcher.experiment;

import java.util.Map;

/**
 * One trained and evaluated model of an experiment.
 *
 * @param group      the comparison it belongs to, e.g. "modes", "alpha", "size"
 * @param setting    the value that varies within the group, e.g. "two-stage", "0.4", "0.5"
 * @param catalogue  the item catalogue the model ranks over ({@code metadata} or {@code all})
 * @param ranks      strict-protocol rank of every test (context, gold) pair, aligned across runs of one
 *                   catalogue; its length is the number of test pairs
 */
public record RunResult(String variant, String catalogue, String backbone, String group, String setting, long seed,
        String checkpointId, Map<String, Double> metrics, int[] ranks) {

    /** The same trained model listed under another comparison (e.g. two-stage at the default alpha). */
    public RunResult as(String otherGroup, String otherSetting) {
        return new RunResult(variant, catalogue, backbone, otherGroup, otherSetting, seed, checkpointId, metrics,
                ranks);
    }
}
