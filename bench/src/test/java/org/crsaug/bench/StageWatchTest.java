package org.crsaug.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.OffsetRange;
import org.junit.jupiter.api.Test;

/** A checkpoint includes a labels record exactly when its lineage range of that partition covers the offset. */
class StageWatchTest {

    @Test
    void aCheckpointIncludesTheLabelsBelowItsRangeOfTheirPartition() {
        StageWatch.CheckpointSeen c = StageWatch.seen(checkpoint(List.of(
                range("augmented-labels", 0, 0, 10), range("augmented-labels", 1, 0, 3),
                range("dialogues", 2, 0, 500))), "augmented-labels");
        assertThat(c.includes(labels(0, 9))).isTrue();
        assertThat(c.includes(labels(0, 10))).as("untilOffset is exclusive").isFalse();
        assertThat(c.includes(labels(1, 2))).isTrue();
        assertThat(c.includes(labels(2, 0))).as("no range of the labels topic's partition 2").isFalse();
    }

    @Test
    void aRangeNotStartingAtZeroCoversNothingBeforeIt() {
        StageWatch.CheckpointSeen c = StageWatch.seen(checkpoint(List.of(range("augmented-labels", 0, 5, 10))),
                "augmented-labels");
        assertThat(c.includes(labels(0, 7))).isFalse();
    }

    private static StageWatch.Labels labels(int partition, long offset) {
        return new StageWatch.Labels(0, partition, offset, "retrieval-only");
    }

    private static OffsetRange range(String topic, int partition, long from, long until) {
        return OffsetRange.newBuilder().setTopic(topic).setPartition(partition).setFromOffset(from)
                .setUntilOffset(until).build();
    }

    private static Checkpoint checkpoint(List<OffsetRange> ranges) {
        return Checkpoint.newBuilder().setCheckpointId("c1").setRound(1).setStage("trained").setMode("baseline")
                .setBackbone("semantic").setDataset("inspired").setArtifactUri("file:/x").setSha256("0")
                .setCreatedAtMs(0).setMetrics(Map.of()).setInputRanges(ranges).setConfig(Map.of()).setSeed(1)
                .build();
    }
}
