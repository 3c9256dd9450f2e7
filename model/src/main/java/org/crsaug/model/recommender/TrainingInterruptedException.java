package org.crsaug.model.recommender;

/**
 * A training ended early because its thread was interrupted ({@link StopOnInterrupt}); thrown out of
 * {@link RecommenderTrainer#train}. The thread's interrupt flag is cleared: this exception is the news.
 */
public final class TrainingInterruptedException extends RuntimeException {

    TrainingInterruptedException(String stage) {
        super("training stage " + stage + " stopped: its thread was interrupted");
    }
}
