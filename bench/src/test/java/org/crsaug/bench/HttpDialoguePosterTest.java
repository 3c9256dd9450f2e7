package org.crsaug.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.crsaug.data.dataset.DialogueJson;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;
import org.junit.jupiter.api.Test;

class HttpDialoguePosterTest {

    @Test
    void theBodyPostedReadsBackAsTheSameDialogue() {
        Dialogue d = Dialogue.newBuilder().setDialogueId("inspired:bench-soak1-7").setDataset("inspired")
                .setSplit("train").setSource(null).setTurns(List.of(
                        Turn.newBuilder().setRole(Role.SEEKER).setText("a \"quoted\" thriller?")
                                .setMentionedItemIds(List.of("inspired:item-1")).build(),
                        Turn.newBuilder().setRole(Role.RECOMMENDER).setText("try these")
                                .setMentionedItemIds(List.of("inspired:item-2", "inspired:item-3")).build()))
                .build();
        // the intake resolves item ids as well as titles; here every id is known
        Dialogue back = DialogueJson.parse(HttpDialoguePoster.body(d), "inspired", Optional::of);
        assertThat(back.getDialogueId().toString()).isEqualTo("inspired:bench-soak1-7");
        assertThat(back.getSplit().toString()).isEqualTo("train");
        assertThat(back.getTurns()).isEqualTo(d.getTurns());
    }
}
