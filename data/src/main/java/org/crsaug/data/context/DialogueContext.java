package org.crsaug.data.context;

import java.util.List;
import java.util.Set;
import org.crsaug.schema.Turn;

/**
 * The dialogue as it stood just before a recommender turn that named new items.
 *
 * @param contextId         stable id: {@code <dialogueId>#<turn index>}
 * @param turnIndex         index of the recommender turn whose items are the gold labels
 * @param history           turns before that recommender turn
 * @param goldItemIds       items named in that turn and never before in the dialogue
 * @param mentionedBefore   every item named earlier in the dialogue (strict evaluation removes them)
 */
public record DialogueContext(
        String contextId,
        String dialogueId,
        String dataset,
        String split,
        int turnIndex,
        List<Turn> history,
        List<String> goldItemIds,
        Set<String> mentionedBefore) {

    /** Items mentioned earlier, in the order they first appeared (collaborative signal for hybrid models). */
    public List<String> mentionedInOrder() {
        java.util.LinkedHashSet<String> seen = new java.util.LinkedHashSet<>();
        for (Turn t : history) {
            seen.addAll(t.getMentionedItemIds());
        }
        return List.copyOf(seen);
    }
}
