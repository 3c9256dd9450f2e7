package org.crsaug.scorer.student;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.crsaug.model.llm.JudgeUnavailableException;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Judgement;
import org.crsaug.schema.ScoredPair;
import org.crsaug.scorer.JudgeInputs;
import org.crsaug.scorer.RecommenderCandidates;
import org.crsaug.scorer.RelevanceJudge;
import org.crsaug.scorer.Verdict;
import org.crsaug.scorer.llm.LlmJudge;

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
 * <p>{@link StudentRetrainer} trains and hot-swaps new versions in the background, and
 * {@link StudentSlot} keeps a swap from closing a model while a stream thread scores with it. Every
 * scored pair names the version that scored it.
 */
public final class StudentJudge implements RelevanceJudge {

    public static final String ID = "student";
    public static final String TEACHER_HUMAN = "human";
    public static final String TEACHER_LLM = "llm";

    private final FeatureSource source;
    private final StudentSlot slot = new StudentSlot();
    private final StudentRetrainer retrainer;
    private final RelevanceJudge teacher;
    private final int sample;
    private final int minExamples;
    private final long readyTimeoutMs;

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
        this.source = new FeatureSource(platform, "crs-student-" + UUID.randomUUID(), Duration.ofMinutes(2));
        this.teacher = TEACHER_LLM.equals(o.teacher()) ? teacher : null;
        this.sample = o.sample();
        this.minExamples = o.minExamples();
        this.readyTimeoutMs = o.readyTimeoutMs();
        this.retrainer = new StudentRetrainer(platform, source, new StudentArtifacts(store), slot, o);
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
        StudentArtifacts.Version v = slot.version();
        return v == null ? "none" : v.id();
    }

    @Override
    public String promptVersion() {
        return teacher == null ? "" : teacher.promptVersion();
    }

    /** The version now scoring, with its training and held-out numbers; null before the first one. */
    public StudentArtifacts.Version currentVersion() {
        return slot.version();
    }

    /** The teacher's, when it is an LLM that is failing: the student itself calls out to nothing. */
    @Override
    public java.util.Optional<String> condition() {
        return teacher == null ? java.util.Optional.empty() : teacher.condition().map(c -> "teacher: " + c);
    }

    @Override
    public Verdict judge(Candidates candidates, JudgeInputs inputs) {
        if (slot.version() == null && teacher != null) {
            // cold start: nothing to distil from yet, so the teacher's own scores are the best we have
            return teacher.judge(candidates, inputs);
        }
        awaitFirstVersion();
        List<Judgement> paid = teacherSample(candidates, inputs);
        StudentArtifacts.Version now = slot.version();
        if (now == null) {
            throw new JudgeUnavailableException("Student judge is closed", null);
        }
        Optional<JudgeInputs.ContextVector> given = inputs.context(candidates.getContextId());
        // a recommender's list (S@k, self-distillation) has no vectors of its own: the pairs are read through
        // the encoder the student learnt from, which also encoded every context and item
        String vectors = given.map(JudgeInputs.ContextVector::encoderId).orElse(
                RecommenderCandidates.proposedByRecommender(candidates) ? now.encoderId() : candidates.getEncoderId());
        float[][] features = given.isPresent() ? source.features(candidates, given.get())
                : source.features(candidates, vectors);
        try (StudentSlot.Lease l = slot.acquire()) {
            if (l == null) {
                throw new JudgeUnavailableException("Student judge is closed", null);
            }
            if (!l.version().encoderId().equals(vectors)) {
                throw new JudgeUnavailableException("Student " + l.version().id() + " was trained on vectors of "
                        + l.version().encoderId() + " but the candidates come from " + vectors
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
        }
    }

    /** The LLM teacher's judgements of the best-ranked candidates: the student's future training set. */
    private List<Judgement> teacherSample(Candidates candidates, JudgeInputs inputs) {
        if (teacher == null || sample <= 0) {
            return List.of();
        }
        List<Candidate> top = new ArrayList<>(candidates.getItems());
        top.sort(Comparator.comparingInt(Candidate::getRank));
        Candidates sampled = Candidates.newBuilder(candidates)
                .setItems(new ArrayList<>(top.subList(0, Math.min(sample, top.size())))).build();
        return teacher.judge(sampled, inputs).newJudgements();
    }

    private void awaitFirstVersion() {
        long deadline = System.currentTimeMillis() + readyTimeoutMs;
        while (slot.version() == null) {
            String why = retrainer.problem();
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

    @Override
    public void close() {
        retrainer.close();
        slot.close();
        source.close();
        if (teacher != null) {
            teacher.close();
        }
    }
}
