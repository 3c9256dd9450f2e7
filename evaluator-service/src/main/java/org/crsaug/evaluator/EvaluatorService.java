package org.crsaug.evaluator;

import org.crsaug.model.checkpoint.CheckpointEvaluator;
import org.crsaug.model.checkpoint.CollaborativeModel;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.crsaug.platform.deadletter.DeadLetters;
import org.crsaug.model.eval.RecallMetrics.Protocol;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.service.WorkerService;
import org.crsaug.data.state.PipelineState;
import org.crsaug.data.state.PipelineStateLease;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Evaluation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates every published checkpoint once (its consumer group remembers which) and publishes the
 * result. More evaluators (e.g. {@code crs service evaluator} beside {@code crs up}) share the work as one
 * group: each checkpoint partition has one owner at a time. A checkpoint that cannot be evaluated becomes a
 * dead letter with the reason and the record's own bytes, so {@code crs dlq resubmit} hands it back once the
 * cause is fixed; whoever waits for its evaluation is told at once ({@link #onFailure}).
 */
public final class EvaluatorService extends WorkerService {

    public static final String GROUP_ID = "crs-evaluator";
    static final String STAGE = "evaluator";
    private static final Logger LOG = LoggerFactory.getLogger(EvaluatorService.class);

    private final Platform platform;
    private final List<Protocol> protocols;
    private final int tailMaxMentions;
    private final boolean collaborativeScore;
    /** Per dataset, the model CS@k is measured with; only the worker thread touches it. */
    private final Map<String, CollaborativeModel> collaborative =
            new HashMap<>();
    private final List<Consumer<Evaluation>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Failure>> failureListeners = new CopyOnWriteArrayList<>();
    /** Checkpoints asked for by {@link #requestEvaluation}, taken by the worker between polls. */
    private final LinkedBlockingQueue<Checkpoint> requested = new LinkedBlockingQueue<>();
    private final io.micrometer.core.instrument.Counter evaluated = org.crsaug.platform.metrics.StageMeters
            .records(STAGE, org.crsaug.platform.metrics.StageMeters.OK);
    private final io.micrometer.core.instrument.Counter deadLettered = org.crsaug.platform.metrics.StageMeters
            .records(STAGE, org.crsaug.platform.metrics.StageMeters.DEAD_LETTER);
    private io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics clientMetrics;

    public EvaluatorService(Platform platform) {
        super("evaluator");
        this.platform = platform;
        this.protocols = java.util.Arrays.stream(platform.config().get("evaluator.protocols").split(","))
                .map(String::trim).filter(p -> !p.isEmpty()).map(Protocol::parse).toList();
        if (protocols.isEmpty()) {
            throw new org.crsaug.platform.config.ConfigException("evaluator.protocols must name at least one of strict, lenient");
        }
        this.tailMaxMentions = platform.config().getInt("evaluator.tail.max.mentions");
        this.collaborativeScore = platform.config().getBoolean("evaluator.collaborative.score");
    }

    /**
     * Stopping interrupts the worker, so the CS@k model's training (about a minute on ReDial) is given up at its
     * next batch instead of holding the stop; the checkpoint it was for is evaluated again at the next start.
     */
    @Override
    protected boolean interruptOnStop() {
        return true;
    }

    /** Called with each evaluation after it has been published. */
    public void onEvaluation(Consumer<Evaluation> listener) {
        listeners.add(listener);
    }

    /** A checkpoint that could not be evaluated, and why (the dead letter's reason). */
    public record Failure(Checkpoint checkpoint, String reason) {
    }

    /**
     * Called with each checkpoint that could not be evaluated, after it was dead-lettered (when it came from the
     * topic), so a caller waiting for its evaluation stops waiting instead of waiting out its timeout.
     */
    public void onFailure(Consumer<Failure> listener) {
        failureListeners.add(listener);
    }

    /**
     * Evaluates a checkpoint that is already on the topic but has no evaluation: the group has moved past it
     * because its evaluation failed (it is a dead letter), or it was evaluated under other protocols. A failure
     * here goes to {@link #onFailure} only: the checkpoint stays on its topic, and the dead letter of its first
     * failure, if any, is still there.
     */
    public void requestEvaluation(Checkpoint checkpoint) {
        requested.add(java.util.Objects.requireNonNull(checkpoint, "checkpoint"));
    }

    @Override
    protected void work() {
        Properties props = platform.consumerProps(GROUP_ID);
        props.put("max.poll.records", 1);
        // training a model takes longer than the default poll interval allows between polls
        props.put("max.poll.interval.ms", 30 * 60 * 1000);
        // the test set is held only while checkpoints arrive: a round's come within seconds of each other
        try (PipelineStateLease states = new PipelineStateLease(platform, GROUP_ID, PipelineStateLease.DEFAULT_IDLE);
                KafkaConsumer<String, Checkpoint> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                        platform.valueSerde(Topics.CHECKPOINTS).deserializer());
                KafkaProducer<String, Evaluation> producer = platform.producer(Topics.EVALUATIONS, GROUP_ID);
                KafkaProducer<String, DeadLetter> deadLetters = platform.producer(Topics.DEAD_LETTERS, GROUP_ID)) {
            Serializer<Checkpoint> wire = platform.valueSerde(Topics.CHECKPOINTS).serializer();
            consumer.subscribe(List.of(platform.config().topic(Topics.CHECKPOINTS)));
            // the consumer's lag and fetch rates, on the service's /metrics
            clientMetrics = new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer);
            clientMetrics.bindTo(org.crsaug.platform.metrics.CrsMetrics.registry());
            markReady();
            while (running()) {
                ConsumerRecords<String, Checkpoint> records;
                try {
                    records = consumer.poll(Duration.ofMillis(500));
                } catch (RecordDeserializationException e) {
                    DeadLetter letter = DeadLetters.fromDeserialization(e, name());
                    deadLetters.send(new ProducerRecord<>(platform.config().topic(Topics.DEAD_LETTERS),
                            DeadLetters.key(letter), letter));
                    deadLettered.increment();
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                    continue;
                }
                for (ConsumerRecord<String, Checkpoint> r : records) {
                    if (r.value() != null) {
                        states.use(state -> {
                            Exception failure = evaluate(state, r.value(), producer);
                            if (failure != null) {
                                deadLetter(r, wire, failure, deadLetters);
                                // the letter is out before anyone waiting is told (and may stop this service)
                                deadLetters.flush();
                                reportFailure(r.value(), failure);
                            }
                            return failure == null;
                        });
                    }
                }
                if (!records.isEmpty()) {
                    producer.flush();
                    deadLetters.flush();
                    commit(consumer);
                }
                for (Checkpoint cp = requested.poll(); cp != null && running(); cp = requested.poll()) {
                    Checkpoint asked = cp;
                    states.use(state -> {
                        Exception failure = evaluate(state, asked, producer);
                        if (failure != null) {
                            reportFailure(asked, failure);
                        }
                        return failure == null;
                    });
                }
                states.releaseIfIdle();
            }
        } finally {
            collaborative.values().forEach(CollaborativeModel::close);
            collaborative.clear();
            if (clientMetrics != null) {
                clientMetrics.close();
                clientMetrics = null;
            }
        }
    }

    /**
     * Commits what was evaluated. With a second evaluator in the group (attached beside {@code crs up}) a
     * rebalance can take this member's partitions while it evaluates; the commit then fails, and the new
     * owner evaluates those checkpoints again, as after a crash: the evaluation is published anew under the
     * same key. That is no reason to stop this evaluator.
     */
    private void commit(KafkaConsumer<String, Checkpoint> consumer) {
        try {
            consumer.commitSync();
        } catch (org.apache.kafka.clients.consumer.CommitFailedException
                | org.apache.kafka.common.errors.RebalanceInProgressException e) {
            LOG.warn("Partitions moved to another evaluator before the commit; it evaluates them again: {}",
                    e.getMessage());
        }
    }

    /**
     * The dataset's CS@k model, trained on first use; null when CS@k is off or cannot be had yet, which costs
     * the evaluation its CS@k numbers and nothing else.
     */
    private CollaborativeModel collaborativeModel(PipelineState state, String dataset) {
        if (!collaborativeScore) {
            return null;
        }
        try {
            return collaborative.computeIfAbsent(dataset, d ->
                    CollaborativeModel.obtain(() -> state, platform.config(), d));
        } catch (RuntimeException e) {
            if (!running()) {
                // stopped while training it: the evaluation is not to go out without its CS@k
                throw e;
            }
            LOG.warn("No CS@k for {} this time: {}", dataset, e.getMessage());
            return null;
        }
    }

    /**
     * Evaluates one checkpoint and publishes the result; returns the failure (already logged), or null when it
     * was evaluated.
     */
    private Exception evaluate(PipelineState state, Checkpoint cp, KafkaProducer<String, Evaluation> producer) {
        try {
            List<Evaluation> evaluations;
            try (org.crsaug.platform.metrics.StageMeters.Span span = org.crsaug.platform.metrics.StageMeters.begin(
                    org.crsaug.platform.metrics.StageMeters.EVALUATION)) {
                state.catchUp(Duration.ofMinutes(5));
                evaluations = CheckpointEvaluator.evaluate(state, cp, protocols, tailMaxMentions,
                        collaborativeModel(state, cp.getDataset()));
                for (Evaluation ev : evaluations) {
                    producer.send(new ProducerRecord<>(platform.config().topic(Topics.EVALUATIONS),
                            ev.getCheckpointId() + "|" + ev.getProtocol(), ev));
                }
                producer.flush();
                span.record();
            }
            for (Evaluation ev : evaluations) {
                LOG.info("Evaluated {} ({}, {} pairs): {}", cp.getCheckpointId(), ev.getProtocol(), ev.getPairs(),
                        ev.getMetrics());
                org.crsaug.platform.metrics.PipelineMeters.recordEvaluation(ev);
                listeners.forEach(l -> l.accept(ev));
            }
            evaluated.increment();
            return null;
        } catch (RuntimeException e) {
            if (!running()) {
                // a failure while stopping (an interrupted training or send) is not the checkpoint's fault: it
                // is not dead-lettered, and with its offset uncommitted it is evaluated at the next start
                throw e;
            }
            LOG.error("Cannot evaluate checkpoint {}", cp.getCheckpointId(), e);
            return e;
        }
    }

    private void reportFailure(Checkpoint cp, Exception error) {
        Failure failure = new Failure(cp, DeadLetters.describe(error));
        failureListeners.forEach(l -> l.accept(failure));
    }

    /** The checkpoint as its record's bytes, so that re-submitting the letter puts back a record it can read. */
    private void deadLetter(ConsumerRecord<String, Checkpoint> r, Serializer<Checkpoint> wire, Exception error,
            KafkaProducer<String, DeadLetter> deadLetters) {
        DeadLetter letter = DeadLetters.fromDecoded(r.topic(), r.partition(), r.offset(), name(), error, r.key(),
                r.value(), wire);
        deadLetters.send(new ProducerRecord<>(platform.config().topic(Topics.DEAD_LETTERS), DeadLetters.key(letter),
                letter));
        deadLettered.increment();
    }
}
