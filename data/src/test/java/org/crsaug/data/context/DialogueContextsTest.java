package org.crsaug.data.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;
import org.junit.jupiter.api.Test;

class DialogueContextsTest {

    private static Turn turn(Role role, String text, String... items) {
        return Turn.newBuilder().setRole(role).setText(text).setMentionedItemIds(List.of(items)).build();
    }

    private static Dialogue dialogue(Turn... turns) {
        return Dialogue.newBuilder().setDialogueId("d:1").setDataset("test").setSplit("train")
                .setTurns(List.of(turns)).build();
    }

    @Test
    void oneContextPerRecommenderTurnWithNewItems() {
        Dialogue d = dialogue(
                turn(Role.SEEKER, "I loved Alien", "m:alien"),
                turn(Role.RECOMMENDER, "Try Aliens or Alien again", "m:aliens", "m:alien"),
                turn(Role.SEEKER, "Seen Aliens"),
                turn(Role.RECOMMENDER, "Then Alien it is", "m:alien"),
                turn(Role.RECOMMENDER, "Or Predator", "m:predator", "m:predator"));

        List<DialogueContext> contexts = DialogueContexts.derive(d);

        assertThat(contexts).extracting(DialogueContext::contextId).containsExactly("d:1#1", "d:1#4");
        DialogueContext first = contexts.get(0);
        assertThat(first.goldItemIds()).containsExactly("m:aliens");
        assertThat(first.mentionedBefore()).containsExactly("m:alien");
        assertThat(first.history()).hasSize(1);
        DialogueContext second = contexts.get(1);
        assertThat(second.goldItemIds()).containsExactly("m:predator");
        assertThat(second.mentionedBefore()).containsExactlyInAnyOrder("m:alien", "m:aliens");
        assertThat(second.history()).hasSize(4);
    }

    @Test
    void seekerMentionsAreNeverGoldAndDialoguesWithoutRecommendationsGiveNothing() {
        assertThat(DialogueContexts.derive(dialogue(turn(Role.SEEKER, "Alien?", "m:alien")))).isEmpty();
        assertThat(DialogueContexts.derive(dialogue())).isEmpty();
    }

    @Test
    void renderKeepsTheMostRecentTurnsWithinTheLimit() {
        List<Turn> history = List.of(
                turn(Role.SEEKER, "a".repeat(50)),
                turn(Role.RECOMMENDER, "What genre?"),
                turn(Role.SEEKER, "Horror please"));

        assertThat(DialogueContexts.render(history, 1000))
                .isEqualTo("Seeker: " + "a".repeat(50) + "\nRecommender: What genre?\nSeeker: Horror please");
        assertThat(DialogueContexts.render(history, 50))
                .isEqualTo("Recommender: What genre?\nSeeker: Horror please");
        assertThat(DialogueContexts.render(List.of(turn(Role.SEEKER, "x".repeat(100))), 10)).hasSize(10);
    }

    @Test
    void contextIdsMapBackToTheirDialogue() {
        assertThat(DialogueContexts.dialogueIdOf(DialogueContexts.contextId("redial:20001", 7)))
                .isEqualTo("redial:20001");
    }
}
