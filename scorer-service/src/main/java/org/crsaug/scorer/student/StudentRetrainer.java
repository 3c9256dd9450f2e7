package org.crsaug.scorer.student;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Judgement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the student current: a background loop re-reads its inputs every
 * {@code scorer.student.retrain.interval.ms}; once the teacher's examples grew by
 * {@code scorer.student.retrain.growth} over those of the current version it trains a new version,
 * publishes it to the artifact store and swaps it into the {@link StudentSlot}; it also swaps in a
 * newer version another replica published.
 *
 * <p>All training state (the judgement cache it follows, the topic positions) belongs to the one
 * retrainer thread, so it needs no lock; scorers see its work only through the slot and
 * {@link #problem()}.
 */
final class StudentRetrainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StudentRetrainer.class);

    private final FeatureSource source;
    private final TopicFollower<Judgement> judgementTopic;
    private final Map<String, Judgement> judgements = new HashMap<>();
    private final StudentArtifacts artifacts;
    private final StudentSlot slot;
    private final TeacherFallback fallback;
    private final String teacher;
    private final StudentModel.Settings settings;
    private final int minExamples;
    private final double growth;
    private final long intervalMs;
    private final Thread thread;
    /** Set by close(); a failure after it is the shutdown itself and not worth a warning. */
    private volatile boolean running = true;
    /** Read by scorers waiting for a first version, so they can fail with the reason instead of a timeout. */
    private volatile String problem;

    StudentRetrainer(Platform platform, FeatureSource source, StudentArtifacts artifacts, StudentSlot slot,
            StudentJudge.Options o) {
        this.source = source;
        this.judgementTopic = new TopicFollower<>(platform, Topics.JUDGEMENTS,
                "crs-student-judgements-" + UUID.randomUUID());
        this.artifacts = artifacts;
        this.slot = slot;
        this.fallback = new TeacherFallback(o.teacher(), o.negatives(), o.settings().seed());
        this.teacher = o.teacher();
        this.settings = o.settings();
        this.minExamples = o.minExamples();
        this.growth = o.growth();
        this.intervalMs = o.intervalMs();
        this.thread = new Thread(this::loop, "student-retrainer");
        thread.setDaemon(true);
    }

    /**
     * Adopts the newest published version before returning, so a restarted scorer scores at once
     * instead of waiting to train, then keeps retraining in the background.
     */
    void start() {
        artifacts.newest(teacher, null).ifPresent(this::swapTo);
        thread.start();
    }

    /** Why no student can be trained with this setup, or null while one may still come. */
    String problem() {
        return problem;
    }

    private void loop() {
        while (running) {
            try {
                retrainOnce();
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("Student retraining failed; the current version keeps scoring", e);
                }
            }
            try {
                Thread.sleep(slot.version() == null ? Math.min(intervalMs, 2000) : intervalMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One pass: read new inputs, adopt a newer published version, or train one when the data grew enough. */
    private void retrainOnce() {
        source.catchUp();
        judgementTopic.catchUp(r -> {
            if (r.key() != null && r.value() != null) {
                judgements.put(r.key(), r.value());
            }
        }, Duration.ofMinutes(2));
        String encoder = source.encoderId();
        if (encoder == null) {
            return;
        }
        TeacherFallback.Choice choice = fallback.choose(source, judgements.values(), encoder);
        if (choice instanceof TeacherFallback.Stuck stuck) {
            problem = stuck.problem();
        } else if (choice instanceof TeacherFallback.Learn learn) {
            adoptOrTrain(learn.teacher(), learn.split(), encoder);
        }
    }

    private void adoptOrTrain(String effectiveTeacher, TeacherExamples.Split split, String encoder) {
        artifacts.newest(effectiveTeacher, encoder).ifPresent(v -> {
            StudentArtifacts.Version now = slot.version();
            if (now == null || v.trainExamples() > now.trainExamples()) {
                swapTo(v);
            }
        });
        StudentArtifacts.Version now = slot.version();
        int have = split.train().size();
        if (have < minExamples || (now != null && now.encoderId().equals(encoder)
                && have < now.trainExamples() * (1 + growth))) {
            return;
        }
        long started = System.currentTimeMillis();
        StudentTraining.Result r = StudentTraining.train(effectiveTeacher, encoder, split, settings);
        try (StudentModel trained = r.model()) {
            StudentArtifacts.Version v = artifacts.publish(r.versionId(), trained, r.meta());
            LOG.info("Student {} trained on {} {} examples in {} ms; held-out: {} examples, MSE {} (constant {}),"
                    + " AUC liked vs not liked {}, AUC named vs unrelated {}", v.id(), have, effectiveTeacher,
                    System.currentTimeMillis() - started, split.heldOut().size(), r.meta().get("heldout.mse"),
                    r.meta().get("heldout.mse.constant"), r.meta().get("heldout.auc.liked"),
                    r.meta().get("heldout.auc.named"));
            swapTo(v);
        }
    }

    private void swapTo(StudentArtifacts.Version v) {
        slot.swapTo(v, StudentModel.load(v.dir(), v.inputSize(), v.hidden()));
        problem = null;
        LOG.info("Student judge now scores with {}", v.id());
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        judgementTopic.close();
    }
}
