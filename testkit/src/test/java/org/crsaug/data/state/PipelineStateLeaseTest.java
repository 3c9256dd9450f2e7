package org.crsaug.data.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Label;
import org.crsaug.schema.OffsetRange;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the trainer and evaluator hold between bursts of work: a {@link PipelineStateLease} lets its state go
 * only once idle and reads the same state again when asked; {@link PipelineProgress} counts records, the ones
 * inside a last round's offset ranges apart, without keeping any.
 */
class PipelineStateLeaseTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Test
    void aReleasedStateIsReadAgainIdenticallyAndAnIdleTimeKeepsItHeld() {
        Platform p = kafka.platform(Map.of("topic.prefix", "lease."));
        send(p, 3);
        try (PipelineStateLease kept = new PipelineStateLease(p, "lease-kept", Duration.ofHours(1));
                PipelineStateLease released = new PipelineStateLease(p, "lease-released", Duration.ZERO)) {
            List<OffsetRange> first = released.use(s -> {
                s.catchUp(TIMEOUT);
                return s.offsetRanges();
            });
            int labelled = kept.use(s -> {
                s.catchUp(TIMEOUT);
                return s.labelledContexts();
            });
            assertThat(labelled).isEqualTo(3);
            assertThat(kept.releaseIfIdle()).isFalse();
            assertThat(kept.held()).isTrue();
            assertThat(released.releaseIfIdle()).isTrue();
            assertThat(released.held()).isFalse();
            // opened again, empty until caught up, then the same state from the same offsets
            List<OffsetRange> again = released.use(s -> {
                assertThat(s.labelledContexts()).isZero();
                s.catchUp(TIMEOUT);
                assertThat(s.labelledContexts()).isEqualTo(3);
                assertThat(s.dialogueCount()).isEqualTo(3);
                return s.offsetRanges();
            });
            assertThat(again).isEqualTo(first);
        }
    }

    @Test
    void progressCountsRecordsAndTellsThoseOfTheLastRoundApart() {
        Platform p = kafka.platform(Map.of("topic.prefix", "progress.", "topic.partitions", "3"));
        send(p, 4);
        List<OffsetRange> lastRound;
        try (PipelineState state = new PipelineState(p, "progress-round")) {
            state.catchUp(TIMEOUT);
            lastRound = state.offsetRanges();
        }
        // after the round: the same four dialogues and labels again, unchanged, and two new ones
        send(p, 6);
        try (PipelineProgress progress = new PipelineProgress(p, "progress-counter", lastRound)) {
            progress.catchUp(TIMEOUT);
            assertThat(progress.labelRecordsInLastRound()).isEqualTo(4);
            assertThat(progress.dialogueRecordsInLastRound()).isEqualTo(4);
            // records, not keys: the 4 sent again count as new material too
            assertThat(progress.labelRecords()).isEqualTo(10);
            assertThat(progress.dialogueRecords()).isEqualTo(10);
            progress.catchUp(TIMEOUT);
            assertThat(progress.labelRecords()).as("nothing new since").isEqualTo(10);
        }
    }

    /** Dialogues d0..d(n-1), each with one labelled context. */
    private static void send(Platform p, int n) {
        for (int i = 0; i < n; i++) {
            String dialogueId = "inspired:d" + i;
            String contextId = dialogueId + "#1";
            TestKafka.send(p, Topics.DIALOGUES, dialogueId, Dialogue.newBuilder().setDialogueId(dialogueId)
                    .setDataset("inspired").setSplit("train").setTurns(List.of(Turn.newBuilder().setRole(Role.SEEKER)
                            .setText("something tense").setMentionedItemIds(List.of()).build())).build());
            TestKafka.send(p, Topics.AUGMENTED_LABELS, contextId, AugmentedLabels.newBuilder().setContextId(contextId)
                    .setDialogueId(dialogueId).setLabels(List.of(Label.newBuilder().setItemId("inspired:1")
                            .setScore(4f).build())).setThreshold(3.5f).setJudgeId("llm").setJudgeVersion("1")
                    .setCandidateCount(1).build());
        }
    }
}
