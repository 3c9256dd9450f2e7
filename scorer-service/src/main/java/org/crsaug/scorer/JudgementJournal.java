package org.crsaug.scorer;

import java.util.List;
import org.crsaug.schema.Judgement;

/**
 * Where paid judgements go at once, outside the Kafka transaction that carries the scores of their
 * context. The transaction protects the scores (exactly once); the journal protects the money: a
 * replica killed, fenced or timed out after the LLM answered but before its commit would otherwise
 * take the judgements down with the aborted transaction, and the replica that takes over would pay
 * for them again.
 */
public interface JudgementJournal extends AutoCloseable {

    /** No journal: judgements travel in the context's transaction (topology tests, replays). */
    JudgementJournal NONE = new JudgementJournal() {
        @Override
        public boolean isEnabled() {
            return false;
        }

        @Override
        public boolean record(List<Judgement> paid) {
            return false;
        }
    };

    default boolean isEnabled() {
        return true;
    }

    /**
     * Writes the judgements and waits until they are durable; thread-safe.
     *
     * @return false when they could not be written, so the caller sends them with the scores instead
     */
    boolean record(List<Judgement> paid);

    @Override
    default void close() {
    }
}
