package org.crsaug.scorer.student;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Judgement;
import org.crsaug.schema.ScoredPair;
import org.crsaug.scorer.JudgeInputs;
import org.crsaug.model.llm.JudgeUnavailableException;
import org.crsaug.scorer.RelevanceJudge;
import org.crsaug.scorer.Verdict;
import org.crsaug.scorer.llm.LlmJudge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distilled scorer: a small network scores every candidate; a teacher supplies its targets.
 *
 * <ul>
 *   <li>{@code scorer.student.teacher=human} (default, no API key): ReDial's questionnaires, mapped
 *       to scores by {@link TeacherExamples}. A dataset without questionnaires (INSPIRED) falls back
 *       to the LLM judgement cache when it holds judgements, and otherwise stops the scorer with an
 *       error that names the fix.</li>
 *   <li>{@code scorer.student.teacher=llm}: the LLM judges the {@code scorer.teacher.sample}
 *       best-ranked candidates of each context (its judgements go to the cache topic, which is the
 *       student's training set) and the student scores all of them. Until a first student exists,
 *       the teacher scores every candidate itself.</li>
 * </ul>
 *
 * <p>A background loop re-reads its inputs every {@code scorer.student.retrain.interval.ms}; once the
 * teacher's examples grew by {@code scorer.student.retrain.growth} over those of the current version
 * it trains a new version, publishes it to the artifact store and swaps it in; it also swaps in a
 * newer version another replica published. Scoring holds a read lock, a swap the write lock, so no
 * thread ever scores with a closed model. Every scored pair names the version that scored it.
 */
public final class StudentJudge implements RelevanceJudge {

    public static final String ID = "student";
    public static final String TEACHER_HUMAN = "human";
    public static final String TEACHER_LLM = "llm";
    private static final Logger LOG = LoggerFactory.getLogger(StudentJudge.class);

    private final FeatureSource source;
    private final TopicFollower<Judgement> judgementTopic;
    private final Map<String, Judgement> judgements = new HashMap<>();
    private final StudentArtifacts artifacts;
    private final String teacherName;
    private final RelevanceJudge teacher;
    private final int sample;
    private final StudentModel.Settings settings;
    private final int negatives;
    private final int minExamples;
    private final double growth;
    private final long intervalMs;
    private final long readyTimeoutMs;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Thread retrainer;
    private volatile boolean running = true;
    private volatile Loaded current;
    private volatile String problem;

    private record Loaded(StudentArtifacts.Version version, StudentModel model) {
    }

    /** Everything but the platform connections, so tests and benchmarks can set it explicitly. */
    public record Options(String teacher, int sample, StudentModel.Settings settings, int negatives, int minExamples,
            double growth, long intervalMs, long readyTimeoutMs) {

        public static Options fromConfig(CrsConfig c) {
            String teacher = c.get("scorer.student.teacher");
            if (!TEACHER_HUMAN.equals(teacher) && !TEACHER_LLM.equals(teacher)) {
                throw new ConfigException("Unknown scorer.student.teacher '" + teacher + "'; available: "
                        + TEACHER_HUMAN + ", " + TEACHER_LLM);
            }
            return new Options(teacher, c.getInt("scorer.teacher.sample"),
                    new StudentModel.Settings(c.getInt("scorer.student.hidden"), c.getInt("scorer.student.epochs"),
                            c.getInt("scorer.student.batch.size"), c.getDouble("scorer.student.learning.rate"),
                            c.getLong("scorer.student.seed")),
                    c.getInt("scorer.student.negatives"), c.getInt("scorer.student.min.examples"),
                    c.getDouble("scorer.student.retrain.growth"), c.getLong("scorer.student.retrain.interval.ms"),
                    c.getLong("scorer.student.ready.timeout.ms"));
        }
    }

    public StudentJudge(Platform platform, ArtifactStore store, Options o, RelevanceJudge teacher) {
        if (TEACHER_LLM.equals(o.teacher()) && teacher == null) {
            throw new IllegalArgumentException("scorer.student.teacher=llm needs an LLM judge");
        }
        this.source = new FeatureSource(platform, "crs-student-" + java.util.UUID.randomUUID(), Duration.ofMinutes(2));
        this.judgementTopic = new TopicFollower<>(platform, Topics.JUDGEMENTS,
                "crs-student-judgements-" + java.util.UUID.randomUUID());
        this.artifacts = new StudentArtifacts(store);
        this.teacherName = o.teacher();
        this.teacher = TEACHER_LLM.equals(o.teacher()) ? teacher : null;
        this.sample = o.sample();
        this.settings = o.settings();
        this.negatives = o.negatives();
        this.minExamples = o.minExamples();
        this.growth = o.growth();
        this.intervalMs = o.intervalMs();
        this.readyTimeoutMs = o.readyTimeoutMs();
        artifacts.newest(teacherName, null).ifPresent(this::swapTo);
        this.retrainer = new Thread(this::retrainLoop, "student-retrainer");
        retrainer.setDaemon(true);
        retrainer.start();
    }

    public static StudentJudge fromConfig(Platform platform, Map<String, String> environment) {
        CrsConfig c = platform.config();
        Options o = Options.fromConfig(c);
        Path root = c.artifactRoot()
                .resolve("students");
        RelevanceJudge teacher = TEACHER_LLM.equals(o.teacher()) ? LlmJudge.fromConfig(c, environment) : null;
        return new StudentJudge(platform, new ArtifactStore(root), o, teacher);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String version() {
        Loaded l = current;
        return l == null ? "none" : l.version().id();
    }

    @Override
    public String promptVersion() {
        return teacher == null ? "" : teacher.promptVersion();
    }

    /** The version now scoring, with its training and held-out numbers; null before the first one. */
    public StudentArtifacts.Version currentVersion() {
        Loaded l = current;
        return l == null ? null : l.version();
    }

    @Override
    public Verdict judge(Candidates candidates, JudgeInputs inputs) {
        if (current == null && teacher != null) {
            // cold start: nothing to distil from yet, so the teacher's own scores are the best we have
            return teacher.judge(candidates, inputs);
        }
        awaitFirstVersion();
        List<Judgement> paid = List.of();
        if (teacher != null && sample > 0) {
            List<Candidate> top = new ArrayList<>(candidates.getItems());
            top.sort(Comparator.comparingInt(Candidate::getRank));
            Candidates sampled = Candidates.newBuilder(candidates)
                    .setItems(new ArrayList<>(top.subList(0, Math.min(sample, top.size())))).build();
            paid = teacher.judge(sampled, inputs).newJudgements();
        }
        float[][] features = features(candidates);
        lock.readLock().lock();
        try {
            Loaded l = current;
            if (!l.version().encoderId().equals(candidates.getEncoderId())) {
                throw new JudgeUnavailableException("Student " + l.version().id() + " was trained on vectors of "
                        + l.version().encoderId() + " but the candidates come from " + candidates.getEncoderId()
                        + "; it retrains once that encoder's vectors are in", null);
            }
            float[] scores = l.model().score(features);
            List<ScoredPair> out = new ArrayList<>(scores.length);
            for (int i = 0; i < scores.length; i++) {
                out.add(ScoredPair.newBuilder()
                        .setContextId(candidates.getContextId())
                        .setItemId(candidates.getItems().get(i).getItemId())
                        .setScore(scores[i])
                        .setJudgeId(ID)
                        .setJudgeVersion(l.version().id())
                        .setPromptVersion(promptVersion())
                        .build());
            }
            return new Verdict(out, paid);
        } finally {
            lock.readLock().unlock();
        }
    }

    private float[][] features(Candidates candidates) {
        String encoder = candidates.getEncoderId();
        String contextId = candidates.getContextId();
        if (source.contextVector(encoder, contextId) == null || source.context(contextId).isEmpty()) {
            // the retriever committed the vector with these candidates; one more read finds it
            source.catchUp();
        }
        DialogueContext context = source.context(contextId).orElseThrow(() -> new IllegalStateException(
                "Dialogue of context " + contextId + " is not in the dialogues topic"));
        float[][] out = new float[candidates.getItems().size()][];
        for (int i = 0; i < out.length; i++) {
            String item = candidates.getItems().get(i).getItemId();
            out[i] = source.features(encoder, contextId, item, context.mentionedInOrder());
            if (out[i] == null) {
                throw new IllegalStateException("No " + encoder + " vector for context " + contextId + " or item "
                        + item + " in the embeddings topic");
            }
        }
        return out;
    }

    private void awaitFirstVersion() {
        long deadline = System.currentTimeMillis() + readyTimeoutMs;
        while (current == null) {
            String why = problem;
            if (why != null) {
                throw new JudgeUnavailableException(why, null);
            }
            if (System.currentTimeMillis() > deadline) {
                throw new JudgeUnavailableException("No student model after " + readyTimeoutMs + " ms: fewer than "
                        + minExamples + " teacher examples with vectors (scorer.student.min.examples)", null);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JudgeUnavailableException("Interrupted while waiting for the first student model", e);
            }
        }
    }

    private void retrainLoop() {
        while (running) {
            try {
                retrainOnce();
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("Student retraining failed; the current version keeps scoring", e);
                }
            }
            try {
                Thread.sleep(current == null ? Math.min(intervalMs, 2000) : intervalMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One pass: read new inputs, adopt a newer published version, or train one when the data grew enough. */
    synchronized void retrainOnce() {
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
        String effectiveTeacher = teacherName;
        TeacherExamples.Split split;
        if (TEACHER_LLM.equals(teacherName)) {
            split = TeacherExamples.fromJudgements(judgements.values(), source, encoder);
        } else if (TeacherExamples.feedbackAnswers(source.dialogues()) > 0) {
            split = TeacherExamples.fromHumanFeedback(source, encoder, negatives, settings.seed());
        } else if (!judgements.isEmpty()) {
            effectiveTeacher = TEACHER_LLM;
            split = TeacherExamples.fromJudgements(judgements.values(), source, encoder);
        } else {
            if (!source.dialogues().isEmpty()) {
                problem = "scorer.judge=student learns from human feedback, but no dialogue has questionnaire"
                        + " feedback (only ReDial has it) and the LLM judgement cache is empty. Use --dataset redial,"
                        + " or set scorer.student.teacher=llm with an LLM endpoint and key (scorer.llm.*), or use"
                        + " scorer.judge=retrieval-only or scorer.judge=llm";
            }
            return;
        }
        artifacts.newest(effectiveTeacher, encoder).ifPresent(v -> {
            Loaded l = current;
            if (l == null || v.trainExamples() > l.version().trainExamples()) {
                swapTo(v);
            }
        });
        Loaded l = current;
        int have = split.train().size();
        if (have < minExamples || (l != null && l.version().encoderId().equals(encoder)
                && have < l.version().trainExamples() * (1 + growth))) {
            return;
        }
        long started = System.currentTimeMillis();
        StudentTraining.Result r = StudentTraining.train(effectiveTeacher, encoder, split, settings);
        try (StudentModel trained = r.model()) {
            StudentArtifacts.Version v = artifacts.publish(r.versionId(), trained, r.meta());
            LOG.info("Student {} trained on {} {} examples in {} ms; held-out: {} examples, MSE {} (constant {}),"
                    + " AUC liked vs not liked {}", v.id(), have, effectiveTeacher,
                    System.currentTimeMillis() - started, split.heldOut().size(), r.meta().get("heldout.mse"),
                    r.meta().get("heldout.mse.constant"), r.meta().get("heldout.auc.liked"));
            swapTo(v);
        }
    }

    private void swapTo(StudentArtifacts.Version v) {
        StudentModel loaded = StudentModel.load(v.dir(), v.inputSize(), v.hidden());
        Loaded old;
        lock.writeLock().lock();
        try {
            old = current;
            current = new Loaded(v, loaded);
        } finally {
            lock.writeLock().unlock();
        }
        if (old != null) {
            old.model().close();
        }
        problem = null;
        LOG.info("Student judge now scores with {}", v.id());
    }

    @Override
    public void close() {
        running = false;
        retrainer.interrupt();
        try {
            retrainer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.writeLock().lock();
        try {
            if (current != null) {
                current.model().close();
                current = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
        source.close();
        judgementTopic.close();
        if (teacher != null) {
            teacher.close();
        }
    }
}
