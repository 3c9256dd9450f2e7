package org.crsaug.model.simulate;

import java.util.List;
import org.crsaug.schema.SimulationEpisode;

/**
 * What a simulation's episodes add up to: for each turn and cut-off k, the share of valid episodes whose
 * target was in the top k by that turn (recall at turn t; the last turn's is the end result), and the
 * mean turn of success among the episodes that succeeded. Invalid episodes are counted, not scored.
 *
 * @param recall        {@code recall[t - 1][j]}: recall at cut-off {@code ks[j]} by turn t
 * @param meanTurns     {@code meanTurns[j]}: mean first turn of success at {@code ks[j]}, NaN when none succeeded
 * @param successes     {@code successes[j]}: episodes that succeeded at {@code ks[j]} by the last turn
 */
public record SimulationSummary(int turns, int[] ks, int episodes, int invalid, double[][] recall,
        double[] meanTurns, int[] successes) {

    public static SimulationSummary of(List<SimulationEpisode> all, int turns, int[] ks) {
        List<SimulationEpisode> valid = all.stream().filter(SimulationEpisode::getValid).toList();
        double[][] recall = new double[turns][ks.length];
        double[] meanTurns = new double[ks.length];
        int[] successes = new int[ks.length];
        for (int j = 0; j < ks.length; j++) {
            String k = String.valueOf(ks[j]);
            long sum = 0;
            for (SimulationEpisode e : valid) {
                Integer first = e.getSuccessTurns().get(k);
                if (first == null) {
                    continue;
                }
                successes[j]++;
                sum += first;
                for (int t = first; t <= turns; t++) {
                    recall[t - 1][j]++;
                }
            }
            meanTurns[j] = successes[j] == 0 ? Double.NaN : (double) sum / successes[j];
            for (int t = 0; t < turns; t++) {
                recall[t][j] = valid.isEmpty() ? 0 : recall[t][j] / valid.size();
            }
        }
        return new SimulationSummary(turns, ks.clone(), valid.size(), all.size() - valid.size(), recall, meanTurns,
                successes);
    }

    /** Recall at {@code ks[j]} after the last turn. */
    public double finalRecall(int j) {
        return recall[turns - 1][j];
    }
}
