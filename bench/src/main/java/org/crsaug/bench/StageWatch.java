package org.crsaug.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.OffsetRange;

/**
 * When each stage's output for a context first became visible to a read_committed reader: the first
 * candidates record, the first augmented-labels record (and where it lies, for lineage), and every
 * checkpoint with the part of the labels topic it was trained on. Times are {@link System#nanoTime}.
 */
final class StageWatch implements AutoCloseable {

    /** A context's first labels record: when it was seen and its place in the labels topic. */
    record Labels(long seenNanos, int partition, long offset, String judgeId) {
    }

    /**
     * A checkpoint as it was seen.
     *
     * @param labelsUntil per partition of the labels topic, the offset below which it was trained on every record
     */
    record CheckpointSeen(long seenNanos, String checkpointId, int round, String mode, Map<Integer, Long> labelsUntil) {
        boolean includes(Labels l) {
            return labelsUntil.getOrDefault(l.partition(), 0L) > l.offset();
        }
    }

    private final Map<String, Long> candidates = new ConcurrentHashMap<>();
    private final Map<String, Labels> labels = new ConcurrentHashMap<>();
    /** Labels records (not tombstones) per context: a context should get exactly one. */
    private final Map<String, Integer> labelRecords = new ConcurrentHashMap<>();
    private final List<CheckpointSeen> checkpoints = new CopyOnWriteArrayList<>();
    private final List<TopicTail<?>> tails = new ArrayList<>();

    StageWatch(Platform platform) {
        String labelsTopic = platform.config().topic(Topics.AUGMENTED_LABELS);
        try {
            tails.add(new TopicTail<Candidates>(platform, Topics.CANDIDATES,
                    r -> candidates.putIfAbsent(r.key(), System.nanoTime())));
            tails.add(new TopicTail<AugmentedLabels>(platform, Topics.AUGMENTED_LABELS, r -> {
                labels.putIfAbsent(r.key(), new Labels(System.nanoTime(), r.partition(), r.offset(),
                        r.value() == null ? "" : r.value().getJudgeId().toString()));
                if (r.value() != null) {
                    labelRecords.merge(r.key(), 1, Integer::sum);
                }
            }));
            tails.add(new TopicTail<Checkpoint>(platform, Topics.CHECKPOINTS, r -> {
                if (r.value() != null) {
                    checkpoints.add(seen(r.value(), labelsTopic));
                }
            }));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    static CheckpointSeen seen(Checkpoint c, String labelsTopic) {
        Map<Integer, Long> until = new HashMap<>();
        for (OffsetRange r : c.getInputRanges()) {
            // lineage ranges start at 0 (the trainer reads the whole topic); a later start would not cover earlier labels
            if (r.getTopic().toString().equals(labelsTopic) && r.getFromOffset() == 0) {
                until.merge(r.getPartition(), r.getUntilOffset(), Math::max);
            }
        }
        return new CheckpointSeen(System.nanoTime(), c.getCheckpointId().toString(), c.getRound(),
                c.getMode().toString(), Map.copyOf(until));
    }

    /** When the context's first candidates record was seen, if it was. */
    Optional<Long> candidates(String contextId) {
        return Optional.ofNullable(candidates.get(contextId));
    }

    Optional<Labels> labels(String contextId) {
        return Optional.ofNullable(labels.get(contextId));
    }

    /** How many of these contexts have their labels. */
    long labelled(Collection<String> contextIds) {
        return contextIds.stream().filter(labels::containsKey).count();
    }

    /** How many labels records (tombstones aside) the context has had since this watch started. */
    int labelRecords(String contextId) {
        return labelRecords.getOrDefault(contextId, 0);
    }

    /** The first checkpoint seen that was trained on every one of these labels records. */
    Optional<CheckpointSeen> firstIncluding(List<Labels> records) {
        return checkpoints.stream().filter(c -> records.stream().allMatch(c::includes)).findFirst();
    }

    /** How many checkpoints of this round have been seen (a round publishes one per training mode). */
    long checkpointsOfRound(int round) {
        return checkpoints.stream().filter(c -> c.round() == round).count();
    }

    /** Checkpoints seen between two {@link System#nanoTime} readings: rounds trained meanwhile, on the same cores. */
    long checkpointsSeenBetween(long fromNanos, long toNanos) {
        return checkpoints.stream().filter(c -> c.seenNanos() >= fromNanos && c.seenNanos() <= toNanos).count();
    }

    /** The judges named by the labels records seen. */
    java.util.Set<String> judgeIds() {
        return labels.values().stream().map(Labels::judgeId).collect(java.util.stream.Collectors.toSet());
    }

    /** Polls {@code done} until it holds (true) or the timeout passes (false); a failed reader throws. */
    boolean await(Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            check();
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Throws if one of the readers failed. */
    void check() {
        tails.forEach(TopicTail::check);
    }

    @Override
    public void close() {
        tails.forEach(TopicTail::close);
    }
}
