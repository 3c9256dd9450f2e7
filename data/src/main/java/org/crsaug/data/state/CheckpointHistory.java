package org.crsaug.data.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Evaluation;

/**
 * Every published checkpoint joined with its evaluations (one per protocol), read from the checkpoints
 * and evaluations topics. Each {@link #catchUp} reads on from where the last one stopped, so a long-lived
 * reader (the serve dashboard) follows new rounds and a one-off one ({@code crs status}) reads once.
 * Everything is kept: a checkpoint is one record per training mode per round, a few per hour at most.
 * An evaluation may be read before its checkpoint (two topics); it is joined as soon as both are in.
 */
public final class CheckpointHistory implements AutoCloseable {

    /** A checkpoint and its test metrics by protocol (empty until the evaluator has reported). */
    public record Entry(Checkpoint checkpoint, Map<String, Evaluation> evaluationsByProtocol) {
    }

    private final TopicFollower<Checkpoint> checkpoints;
    private final TopicFollower<Evaluation> evaluations;
    private final Map<String, Checkpoint> checkpointById = new LinkedHashMap<>();
    private final Map<String, Map<String, Evaluation>> evaluationsByCheckpoint = new HashMap<>();

    public CheckpointHistory(Platform platform, String clientId) {
        this.checkpoints = new TopicFollower<>(platform, Topics.CHECKPOINTS, clientId + "-checkpoints");
        try {
            this.evaluations = new TopicFollower<>(platform, Topics.EVALUATIONS, clientId + "-evaluations");
        } catch (RuntimeException e) {
            checkpoints.close();
            throw e;
        }
    }

    /** Reads both topics up to their current ends. */
    public synchronized void catchUp(Duration timeout) {
        checkpoints.catchUp(r -> {
            if (r.value() == null) {
                checkpointById.remove(r.key());
            } else {
                checkpointById.put(r.value().getCheckpointId(), r.value());
            }
        }, timeout);
        evaluations.catchUp(r -> {
            Evaluation e = r.value();
            if (e != null) {
                evaluationsByCheckpoint.computeIfAbsent(e.getCheckpointId(), k -> new TreeMap<>())
                        .put(e.getProtocol(), e);
            }
        }, timeout);
    }

    /** Every checkpoint read so far, oldest first (by creation time). */
    public synchronized List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (Checkpoint cp : checkpointById.values()) {
            out.add(new Entry(cp, Collections.unmodifiableMap(
                    new TreeMap<>(evaluationsByCheckpoint.getOrDefault(cp.getCheckpointId(), Map.of())))));
        }
        out.sort(Comparator.comparingLong(e -> e.checkpoint().getCreatedAtMs()));
        return out;
    }

    @Override
    public void close() {
        checkpoints.close();
        evaluations.close();
    }
}
