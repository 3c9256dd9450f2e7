package org.crsaug.data.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Dialogue;
import org.crsaug.testkit.AbandonedTransaction;
import org.crsaug.testkit.NewDialogues;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP intake killed inside its transaction ({@code crs up} killed during a {@code POST /api/dialogues}):
 * its producer's id is new in every process, so no successor aborts the open transaction, and read_committed
 * readers of that partition wait until the coordinator times it out. That wait is the transaction timeout
 * of our transactional producers (10 s), not the producer default of a minute.
 */
class DialogueIntakeKillTest {

    /** The coordinator aborts a timed-out transaction at its next check, every 10 s by the broker's default. */
    private static final Duration ABORT_CHECK = Duration.ofSeconds(10);

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Test
    void anIntakeKilledInsideItsTransactionHoldsItsPartitionBackForSecondsNotAMinute(@TempDir Path tmp)
            throws Exception {
        // one partition: the body sent after the kill lands behind the open transaction
        Platform platform = kafka.platform(Map.of("topic.prefix", "abandoned-", "topic.partitions", "1"));
        NewDialogues catalogue = NewDialogues.publishCatalogue(platform, tmp);
        // the killed process had sent its body's dialogue and died before committing
        try (AbandonedTransaction killed = new AbandonedTransaction(platform, "intake-" + UUID.randomUUID())) {
            killed.send(Topics.DIALOGUES, "inspired:half", AbandonedTransaction.dialogue("inspired:half", "killed"));
            long killedAt = System.nanoTime();

            // the restarted process takes the next body under an id of its own
            try (DialogueIntake next = new DialogueIntake(platform, "intake-" + UUID.randomUUID())) {
                next.submit(NewDialogues.simple("after", catalogue.title(0)), "inspired", null, "test",
                        DialogueIntake.Policy.GOOD_ONES);
            }
            List<Dialogue> visible = NewDialogues.await(platform, Topics.DIALOGUES,
                    "the body sent after the kill visible to read_committed readers",
                    l -> l.stream().anyMatch(d -> d.getDialogueId().equals("inspired:after")));
            Duration held = Duration.ofNanos(System.nanoTime() - killedAt);

            assertThat(visible).extracting(Dialogue::getDialogueId).doesNotContain("inspired:half");
            assertThat(held).as("how long the open transaction held the partition back")
                    .isLessThan(Duration.ofMillis(Platform.TRANSACTION_TIMEOUT_MS).plus(ABORT_CHECK)
                            .plusSeconds(10));
            System.out.printf("an abandoned intake transaction held its partition back %d ms%n", held.toMillis());
        }
    }
}
