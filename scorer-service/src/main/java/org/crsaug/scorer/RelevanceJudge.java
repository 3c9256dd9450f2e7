package org.crsaug.scorer;

import org.crsaug.model.llm.JudgeUnavailableException;

import org.crsaug.schema.Candidates;

/**
 * Gives each (context, candidate) a relevance score from 0 (unrelated) to 4 (a perfect fit).
 * Implementations must score only the candidates they were given. One instance serves every
 * stream thread of a process, so implementations are thread-safe.
 */
public interface RelevanceJudge extends AutoCloseable {

    String id();

    /** Model version; recorded on every score so runs can be compared. */
    String version();

    /** Version of the prompt the scores came from; empty for judges that use none. */
    default String promptVersion() {
        return "";
    }

    /**
     * One scored pair per candidate, in candidate order.
     *
     * @throws UnusableReplyException when the judge could not produce a score for this context;
     *     the scorer dead-letters the context with the reason
     * @throws JudgeUnavailableException when the judge cannot work at all (bad key, endpoint down
     *     after every retry); the scorer stops instead of dead-lettering every context
     */
    Verdict judge(Candidates candidates, JudgeInputs inputs);

    /**
     * What a person watching should know now, e.g. "LLM call failed (HTTP 503), attempt 2 of 3, next try in 4 s";
     * empty while all is well. Only judges that call out to something have anything to say.
     */
    default java.util.Optional<String> condition() {
        return java.util.Optional.empty();
    }

    @Override
    default void close() {
    }
}
