package org.crsaug.serve;

import org.crsaug.schema.Checkpoint;

/** Decides whether a newly published checkpoint should replace the one being served. */
public final class CheckpointChoice {

    private CheckpointChoice() {
    }

    /**
     * True when {@code candidate} belongs to the served dataset, carries the selection metric and beats
     * {@code current} on it. Ties keep the current model: reloading costs time and changes answers for
     * no measured gain.
     */
    public static boolean isBetter(Checkpoint candidate, Checkpoint current, ServeSettings settings) {
        if (!candidate.getDataset().equals(settings.dataset())) {
            return false;
        }
        Double score = candidate.getMetrics().get(settings.selectionMetric());
        if (score == null || score.isNaN()) {
            return false;
        }
        if (current == null) {
            return true;
        }
        Double best = current.getMetrics().get(settings.selectionMetric());
        return best == null || score > best;
    }
}
