package org.crsaug.data.state;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.OffsetRange;

/**
 * How many augmented-labels and dialogues records have been published, counted while reading the two
 * topics without keeping any of them: what a trainer's automatic rounds watch between rounds, in constant
 * memory. Records count, not distinct keys: a context labelled again or a dialogue that changed is new
 * material for a round, as a new one is. Records inside the offset ranges of the last round (a checkpoint's
 * {@code inputRanges}) are counted apart, so a restarted trainer does not take them as new.
 */
public final class PipelineProgress implements AutoCloseable {

    private final TopicFollower<AugmentedLabels> labels;
    private final TopicFollower<Dialogue> dialogues;
    private final Map<TopicPartition, Long> lastRound = new HashMap<>();
    private long labelRecords;
    private long labelRecordsInLastRound;
    private long dialogueRecords;
    private long dialogueRecordsInLastRound;

    /** @param lastRoundRanges the offsets the last round was trained on (empty when there was none) */
    public PipelineProgress(Platform platform, String clientId, List<OffsetRange> lastRoundRanges) {
        for (OffsetRange r : lastRoundRanges) {
            lastRound.put(new TopicPartition(r.getTopic(), r.getPartition()), r.getUntilOffset());
        }
        labels = new TopicFollower<>(platform, Topics.AUGMENTED_LABELS, clientId + "-labels");
        try {
            dialogues = new TopicFollower<>(platform, Topics.DIALOGUES, clientId + "-dialogues");
        } catch (RuntimeException e) {
            labels.close();
            throw e;
        }
    }

    /** Counts what was published since the last call. */
    public void catchUp(Duration timeout) {
        labels.catchUp(r -> {
            if (r.value() != null) {
                labelRecords++;
                labelRecordsInLastRound += inLastRound(r);
            }
        }, timeout);
        dialogues.catchUp(r -> {
            if (r.value() != null) {
                dialogueRecords++;
                dialogueRecordsInLastRound += inLastRound(r);
            }
        }, timeout);
    }

    private int inLastRound(ConsumerRecord<String, ?> r) {
        Long until = lastRound.get(new TopicPartition(r.topic(), r.partition()));
        return until != null && r.offset() < until ? 1 : 0;
    }

    /** Labels records read so far. */
    public long labelRecords() {
        return labelRecords;
    }

    /** Dialogue records read so far. */
    public long dialogueRecords() {
        return dialogueRecords;
    }

    /** Of {@link #labelRecords()}, those inside the last round's ranges given at construction. */
    public long labelRecordsInLastRound() {
        return labelRecordsInLastRound;
    }

    /** Of {@link #dialogueRecords()}, those inside the last round's ranges given at construction. */
    public long dialogueRecordsInLastRound() {
        return dialogueRecordsInLastRound;
    }

    @Override
    public void close() {
        labels.close();
        dialogues.close();
    }
}
