package org.crsaug.launcher.experiment;

import java.util.Map;

/**
 * One trained and evaluated model of an experiment.
 *
 * @param group      the comparison it belongs to, e.g. "modes", "alpha", "size"
 * @param setting    the value that varies within the group, e.g. "two-stage", "0.4", "0.5"
 * @param ranks      strict-protocol rank of every test (context, gold) pair, aligned across runs
 */
public record RunResult(String variant, String backbone, String group, String setting, long seed,
        String checkpointId, Map<String, Double> metrics, int[] ranks) {
}
