package org.crsaug.data.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;
import org.junit.jupiter.api.Test;

class RetrievalTextTest {

    private static final Map<String, Item> ITEMS = new HashMap<>();

    static {
        for (int i = 1; i <= 5; i++) {
            ITEMS.put("m:" + i, Item.newBuilder().setItemId("m:" + i).setDataset("m").setTitle("Film " + i)
                    .setGenres(List.of("Horror")).setPlot("A long plot sentence about haunted house number " + i
                            + " and the family that moves in. More plot.").setHasMetadata(true).build());
        }
    }

    /** Five films named over ten long turns, then the seeker's newest request; notes are kept for the newest four. */
    private static DialogueContext longContext() {
        List<Turn> turns = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            turns.add(Turn.newBuilder().setRole(Role.SEEKER).setText("Turn " + i + ": " + "blah ".repeat(40))
                    .setMentionedItemIds(List.of()).build());
            turns.add(Turn.newBuilder().setRole(Role.RECOMMENDER).setText("How about Film " + i + "?")
                    .setMentionedItemIds(List.of("m:" + i)).build());
        }
        turns.add(Turn.newBuilder().setRole(Role.SEEKER).setText("NEWEST: something with ghosts please")
                .setMentionedItemIds(List.of()).build());
        turns.add(Turn.newBuilder().setRole(Role.RECOMMENDER).setText("Film 9 then").setMentionedItemIds(List.of("m:9"))
                .build());
        Dialogue d = Dialogue.newBuilder().setDialogueId("d:1").setDataset("m").setSplit("train").setTurns(turns)
                .build();
        List<DialogueContext> contexts = DialogueContexts.derive(d);
        return contexts.get(contexts.size() - 1);
    }

    @Test
    void withoutABoundTheNotesComeOnTopOfTheDialogue() {
        DialogueContext c = longContext();
        String text = new EncoderText(1200, 0, true).of(c, ITEMS);

        assertThat(text).startsWith("Films mentioned: Film 5 (Horror)").contains("Film 2 (Horror)")
                .endsWith("NEWEST: something with ghosts please");
        assertThat(text.substring(text.indexOf('\n') + 1)).isEqualTo(RetrievalText.dialogue(c, 1200));
        assertThat(RetrievalText.forEncoder(c, 1200, 0, true, ITEMS)).isEqualTo(text);
        assertThat(text.length()).isGreaterThan(1200);
    }

    @Test
    void aBoundKeepsTheNewestTurnAndTheNewestFilmsNotesWithinIt() {
        DialogueContext c = longContext();
        for (int bound : new int[] {1200, 800, 500}) {
            String text = RetrievalText.forEncoder(c, 1200, bound, true, ITEMS);
            String notes = text.substring(0, text.indexOf('\n') + 1);

            assertThat(text.length()).as("bound %d", bound).isLessThanOrEqualTo(bound);
            assertThat(text).as("bound %d", bound).endsWith("NEWEST: something with ghosts please")
                    .startsWith("Films mentioned: Film 5 (Horror)");
            assertThat(notes.length()).as("bound %d", bound).isLessThanOrEqualTo(bound / 2);
        }
        String tight = RetrievalText.forEncoder(c, 1200, 500, true, ITEMS);
        assertThat(tight).as("older films' notes go first").doesNotContain("Film 2 (Horror)");
    }

    @Test
    void aBoundTooSmallForOneNoteLeavesTheDialogueAloneAndPlainTextIsOnlyCut() {
        DialogueContext c = longContext();

        assertThat(RetrievalText.forEncoder(c, 1200, 200, true, ITEMS)).isEqualTo(RetrievalText.dialogue(c, 200));
        assertThat(RetrievalText.forEncoder(c, 1200, 300, false, ITEMS)).isEqualTo(RetrievalText.dialogue(c, 300));
        assertThat(RetrievalText.forEncoder(c, 100, 300, false, ITEMS)).isEqualTo(RetrievalText.dialogue(c, 100));
    }
}
