package org.crsaug.data.context;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;

/**
 * The single definition of training and evaluation contexts; every service derives contexts
 * through here so that retrieval, labels, training and evaluation agree on ids and gold items.
 */
public final class DialogueContexts {

    private static final String SEPARATOR = "#";

    private DialogueContexts() {
    }

    /**
     * One context per recommender turn that names at least one item not named before; the context
     * is everything said before that turn, the gold labels are those new items.
     */
    public static List<DialogueContext> derive(Dialogue dialogue) {
        List<Turn> turns = dialogue.getTurns();
        List<DialogueContext> contexts = new ArrayList<>();
        Set<String> mentioned = new LinkedHashSet<>();
        for (int i = 0; i < turns.size(); i++) {
            Turn turn = turns.get(i);
            if (turn.getRole() == Role.RECOMMENDER) {
                List<String> gold = new ArrayList<>();
                for (String item : new LinkedHashSet<>(turn.getMentionedItemIds())) {
                    if (!mentioned.contains(item)) {
                        gold.add(item);
                    }
                }
                if (!gold.isEmpty()) {
                    contexts.add(new DialogueContext(
                            contextId(dialogue.getDialogueId(), i),
                            dialogue.getDialogueId(),
                            dialogue.getDataset(),
                            dialogue.getSplit(),
                            i,
                            List.copyOf(turns.subList(0, i)),
                            List.copyOf(gold),
                            Collections.unmodifiableSet(new LinkedHashSet<>(mentioned))));
                }
            }
            mentioned.addAll(turn.getMentionedItemIds());
        }
        return contexts;
    }

    /**
     * The dialogue so far as a context: what a recommender is asked after the last turn (serving,
     * one-off recommendations). It has no gold items.
     */
    public static DialogueContext current(String dialogueId, String dataset, List<Turn> turns) {
        Set<String> mentioned = new LinkedHashSet<>();
        turns.forEach(t -> mentioned.addAll(t.getMentionedItemIds()));
        return new DialogueContext(contextId(dialogueId, turns.size()), dialogueId, dataset, "live", turns.size(),
                List.copyOf(turns), List.of(), Collections.unmodifiableSet(mentioned));
    }

    public static String contextId(String dialogueId, int turnIndex) {
        return dialogueId + SEPARATOR + turnIndex;
    }

    /** The dialogue id a context id belongs to. */
    public static String dialogueIdOf(String contextId) {
        int at = contextId.lastIndexOf(SEPARATOR);
        if (at < 0) {
            throw new IllegalArgumentException("Not a context id: " + contextId);
        }
        return contextId.substring(0, at);
    }

    /**
     * Text given to encoders and judges: the most recent turns that fit in {@code maxChars}, oldest
     * first, one "Seeker:"/"Recommender:" line each. Recent turns matter most and encoders truncate
     * from the end, so older turns are the ones dropped.
     */
    public static String render(List<Turn> history, int maxChars) {
        List<String> lines = new ArrayList<>();
        int used = 0;
        for (int i = history.size() - 1; i >= 0; i--) {
            Turn t = history.get(i);
            String line = (t.getRole() == Role.SEEKER ? "Seeker: " : "Recommender: ") + t.getText().strip();
            if (used + line.length() + 1 > maxChars) {
                if (lines.isEmpty()) {
                    lines.add(line.substring(line.length() - maxChars));
                }
                break;
            }
            lines.add(line);
            used += line.length() + 1;
        }
        Collections.reverse(lines);
        return String.join("\n", lines);
    }
}
