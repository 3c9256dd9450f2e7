package org.crsaug.scorer;

import java.util.List;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.ScoredPair;

/**
 * Gives each (context, candidate) a relevance score from 0 (unrelated) to 4 (a perfect fit).
 * Implementations must score only the candidates they were given.
 */
public interface RelevanceJudge extends AutoCloseable {

    String id();

    /** Prompt or model version; recorded on every score so runs can be compared. */
    String version();

    /** One scored pair per candidate, in candidate order. */
    List<ScoredPair> judge(Candidates candidates);

    @Override
    default void close() {
    }
}
