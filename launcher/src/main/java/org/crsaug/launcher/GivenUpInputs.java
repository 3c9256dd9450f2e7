package org.crsaug.launcher;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.crsaug.platform.deadletter.DeadLetters;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.DeadLetter;

/**
 * The dialogues the retriever and the contexts the judge gave up on, read from the dead-letters topic: a run that
 * waits until every context is encoded and labelled must not wait for those (before, it waited out its whole
 * timeout, an hour by default, for one context whose LLM replies could not be read). A letter for a record that
 * was later re-submitted and processed does no harm: such a context has its vector and labels and counts as done
 * anyway.
 */
final class GivenUpInputs implements AutoCloseable {

    private final TopicFollower<DeadLetter> letters;
    private final String dialoguesTopic;
    private final String candidatesTopic;
    /** Keys of the dialogues records the retriever dead-lettered: dialogue ids. */
    private final Set<String> dialogues = new HashSet<>();
    /** Keys of the candidates records the scorer dead-lettered: context ids. */
    private final Set<String> contexts = new HashSet<>();

    GivenUpInputs(Platform platform, String clientId) {
        this.letters = new TopicFollower<>(platform, Topics.DEAD_LETTERS, clientId);
        this.dialoguesTopic = platform.config().topic(Topics.DIALOGUES);
        this.candidatesTopic = platform.config().topic(Topics.CANDIDATES);
    }

    /** Reads the letters published since the last call. */
    void catchUp(Duration timeout) {
        letters.catchUp(r -> {
            DeadLetter d = r.value();
            if (d == null || d.getOriginalKey() == null) {
                return;
            }
            String key = new String(DeadLetters.bytes(d.getOriginalKey()), StandardCharsets.UTF_8);
            if (d.getSourceTopic().equals(dialoguesTopic)) {
                dialogues.add(key);
            } else if (d.getSourceTopic().equals(candidatesTopic)) {
                contexts.add(key);
            }
        }, timeout);
    }

    /** Whether the retriever gave up on the dialogue: none of its contexts will be encoded or labelled. */
    boolean dialogue(String dialogueId) {
        return dialogues.contains(dialogueId);
    }

    /** Whether the judge gave up on the context's candidates: it will not be labelled. */
    boolean context(String contextId) {
        return contexts.contains(contextId);
    }

    @Override
    public void close() {
        letters.close();
    }
}
