package org.crsaug.retriever;

import java.util.ArrayList;
import java.util.List;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.ItemFeedback;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;

/** Hand-made dialogues for retriever tests. */
final class Dialogues {

    private Dialogues() {
    }

    static Turn seeker(String text, String... items) {
        return Turn.newBuilder().setRole(Role.SEEKER).setText(text).setMentionedItemIds(List.of(items)).build();
    }

    static Turn recommender(String text, String... items) {
        return Turn.newBuilder().setRole(Role.RECOMMENDER).setText(text).setMentionedItemIds(List.of(items)).build();
    }

    static Dialogue dialogue(String id, String split, Turn... turns) {
        return Dialogue.newBuilder().setDialogueId(id).setDataset("t").setSplit(split)
                .setTurns(new ArrayList<>(List.of(turns))).build();
    }

    /** A train dialogue where the seeker names {@code liked} and the recommender answers with {@code answer}. */
    static Dialogue mentions(String id, String... items) {
        List<Turn> turns = new ArrayList<>();
        turns.add(seeker("I liked " + items[0], items[0]));
        for (int i = 1; i < items.length; i++) {
            turns.add(recommender("Try " + items[i], items[i]));
        }
        return Dialogue.newBuilder().setDialogueId(id).setDataset("t").setSplit("train").setTurns(turns).build();
    }

    static ItemFeedback seekerLiked(String item, boolean liked) {
        return ItemFeedback.newBuilder().setItemId(item).setRespondent("seeker").setLiked(liked).build();
    }
}
