package org.crsaug.serve;

import java.util.List;
import org.crsaug.schema.Turn;

/**
 * Writes the sentence that presents recommended items to the person. Implementations never fail a
 * recommendation: whatever goes wrong, they answer with the template reply.
 */
public interface ReplyWriter extends AutoCloseable {

    /** A reply and where it came from: {@link #TEMPLATE} or {@link #LLM}. */
    record Reply(String text, String source) {
    }

    String TEMPLATE = "template";
    String LLM = "llm";

    Reply write(List<Turn> turns, List<RecommendationEngine.RecommendedItem> items);

    @Override
    default void close() {
    }

    /** The reply without a language model. */
    static ReplyWriter template() {
        return (turns, items) -> new Reply(TemplateReply.present(items), TEMPLATE);
    }
}
