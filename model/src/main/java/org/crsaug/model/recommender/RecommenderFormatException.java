package org.crsaug.model.recommender;

import java.io.IOException;

/** A file handed to {@link TrainedRecommender#load} is not a saved recommender, or is damaged. */
public class RecommenderFormatException extends IOException {
    public RecommenderFormatException(String message) {
        super(message);
    }

    public RecommenderFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
