package org.crsaug.model.recommender;

import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;

/**
 * Ends a training at the next batch once its thread is interrupted: a service that is stopping (Ctrl-C on
 * {@code crs run} or {@code crs up}) interrupts its worker, and a ReDial stage would otherwise run on for
 * minutes. DJL calls listeners on the thread that trains. The stage's model is dropped; nothing was published.
 */
final class StopOnInterrupt extends TrainingListenerAdapter {

    private final String stage;

    StopOnInterrupt(String stage) {
        this.stage = stage;
    }

    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        check(stage);
    }

    /**
     * Throws when the current thread has been interrupted. The exception carries the news, and the flag is
     * cleared, so that the stopping service still closes its Kafka clients cleanly on the way out (a client
     * closed on an interrupted thread may skip leaving its group).
     */
    static void check(String stage) {
        if (Thread.interrupted()) {
            throw new TrainingInterruptedException(stage);
        }
    }
}
