package org.crsaug.scorer.llm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.JudgeBatch;

/**
 * The compacted {@code judge-batches} topic: every Batch API job of the judge, by its intent id. A job is
 * written {@code intended} (its file uploaded) before its batch is created, {@code submitted} with the batch
 * id once created, and {@code done} once its outputs are journalled; each write is acknowledged before
 * anything that depends on it happens. Every record goes to partition 0, so the ledger is one ordered log and
 * "written earlier" means the same to every replica: that order settles which of two replicas gets a pair
 * ({@link #asOf}). Claims to take over a job whose writer stopped are records of their own
 * ({@code claim:<intent id>}), so a claim that loses never overwrites the job's state.
 */
final class BatchLedger implements AutoCloseable {

    static final String INTENDED = "intended";
    static final String SUBMITTED = "submitted";
    static final String DONE = "done";
    static final String WITHDRAWN = "withdrawn";
    static final String CLAIM = "claim";
    private static final String CLAIM_PREFIX = "claim:";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    /** A record as read: its offset on partition 0 (-1 for records elsewhere, written before the ledger was one log). */
    record Entry(long offset, String key, JudgeBatch batch) {
    }

    private final Platform platform;
    private final KafkaProducer<String, JudgeBatch> producer;
    /** Made on the first read, when the scorer starts, not when it is built (its topics may not exist yet). */
    private TopicFollower<JudgeBatch> follower;
    private final String topic;
    /** Every record read so far, in ledger order. */
    private final List<Entry> history = new ArrayList<>();

    BatchLedger(Platform platform) {
        this.platform = platform;
        this.producer = platform.producer(Topics.JUDGE_BATCHES, "scorer-batch-ledger");
        this.topic = platform.config().topic(Topics.JUDGE_BATCHES);
    }

    /** The job's key: its intent id, or its batch id for a job recorded before intents existed. */
    static String key(JudgeBatch b) {
        return b.getIntentId().isEmpty() ? b.getBatchId() : b.getIntentId();
    }

    static String claimKey(String jobKey) {
        return CLAIM_PREFIX + jobKey;
    }

    /** Intended or submitted: its pairs are someone's to judge, and it still needs work. */
    static boolean open(JudgeBatch b) {
        return INTENDED.equals(b.getState()) || SUBMITTED.equals(b.getState());
    }

    /** Reads what was written since the last call; returns the latest record of every job (claims left out). */
    synchronized Map<String, Entry> refresh() {
        if (follower == null) {
            follower = new TopicFollower<>(platform, Topics.JUDGE_BATCHES, "scorer-batch-ledger-reader");
        }
        follower.catchUp(r -> {
            if (r.key() != null) {
                history.add(new Entry(r.partition() == 0 ? r.offset() : -1, r.key(), r.value()));
            }
        }, READ_TIMEOUT);
        return asOf(Long.MAX_VALUE);
    }

    /**
     * The latest record of every job among those written before {@code offset}, in the order the jobs were
     * first written; {@code claim:} records are under their own keys in {@link #claimsAsOf}.
     */
    synchronized Map<String, Entry> asOf(long offset) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Entry e : history) {
            if (e.offset() < offset && !e.key().startsWith(CLAIM_PREFIX)) {
                if (e.batch() == null) {
                    out.remove(e.key());
                } else {
                    out.put(e.key(), e);
                }
            }
        }
        return out;
    }

    /** The latest claim on each job written before {@code offset}, by job key. */
    synchronized Map<String, Entry> claimsAsOf(long offset) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Entry e : history) {
            if (e.offset() < offset && e.key().startsWith(CLAIM_PREFIX) && e.batch() != null) {
                out.put(e.key().substring(CLAIM_PREFIX.length()), e);
            }
        }
        return out;
    }

    /** Writes the job's state and waits until it is durable; returns its offset. */
    long write(JudgeBatch batch) {
        return send(key(batch), batch);
    }

    /** Writes a claim to take the job over; returns its offset. */
    long writeClaim(String jobKey, JudgeBatch claim) {
        return send(claimKey(jobKey), claim);
    }

    private long send(String key, JudgeBatch value) {
        try {
            // partition 0: one ordered log, see the class comment
            return producer.send(new ProducerRecord<>(topic, 0, key, value)).get().offset();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not record judge batch job " + key + " on " + topic
                    + "; nothing is created or polled for it until it is recorded: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while recording judge batch job " + key, e);
        }
    }

    @Override
    public synchronized void close() {
        producer.close();
        if (follower != null) {
            follower.close();
        }
    }
}
