package org.crsaug.scorer;

import org.crsaug.schema.Candidates;

/**
 * Candidate lists a trained recommender proposed instead of a retriever's encoder: the top k that S@k judges,
 * and the baseline's lists of self-distillation. Their {@code encoderId} names that recommender (it is what an
 * augmented label records as its source and an export shows), so there are no vectors under it; a judge that
 * reads vectors (the student) takes them from the encoder it was trained on instead.
 */
public final class RecommenderCandidates {

    private static final String PREFIX = "recommender";

    private RecommenderCandidates() {
    }

    /** The encoder id of lists a recommender proposed; {@code checkpointId} may be null when it has no name. */
    public static String encoderId(String checkpointId) {
        return checkpointId == null ? PREFIX : PREFIX + ":" + checkpointId;
    }

    /** Whether a recommender, not a retriever's encoder, proposed these candidates. */
    public static boolean proposedByRecommender(Candidates candidates) {
        String id = candidates.getEncoderId();
        return id.equals(PREFIX) || id.startsWith(PREFIX + ":");
    }
}
