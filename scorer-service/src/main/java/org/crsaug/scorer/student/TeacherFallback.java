package org.crsaug.scorer.student;

import java.util.Collection;
import org.crsaug.schema.Judgement;

/**
 * Whose scores the next student version learns from. The configured teacher is used when it has
 * examples; a human-taught student on a dataset without questionnaires (INSPIRED) learns from the LLM
 * judgement cache instead, and with neither there is nothing to learn from.
 */
final class TeacherFallback {

    /** What the next training pass should do. */
    sealed interface Choice permits Learn, NothingYet, Stuck {
    }

    /** Train on {@code split}; {@code teacher} names the versions it produces. */
    record Learn(String teacher, TeacherExamples.Split split) implements Choice {
    }

    /** The inputs have not arrived yet; a later pass may find them. */
    record NothingYet() implements Choice {
    }

    /** Dialogues are in but no teacher can ever label them; {@code problem} says how to fix the setup. */
    record Stuck(String problem) implements Choice {
    }

    private final String teacher;
    private final int negatives;
    private final long seed;

    TeacherFallback(String teacher, int negatives, long seed) {
        this.teacher = teacher;
        this.negatives = negatives;
        this.seed = seed;
    }

    Choice choose(FeatureSource source, Collection<Judgement> judgements, String encoder) {
        if (StudentJudge.TEACHER_LLM.equals(teacher)) {
            return new Learn(teacher, TeacherExamples.fromJudgements(judgements, source, encoder));
        }
        if (TeacherExamples.feedbackAnswers(source.dialogues()) > 0) {
            return new Learn(teacher, TeacherExamples.fromHumanFeedback(source, encoder, negatives, seed));
        }
        if (!judgements.isEmpty()) {
            return new Learn(StudentJudge.TEACHER_LLM, TeacherExamples.fromJudgements(judgements, source, encoder));
        }
        if (source.dialogues().isEmpty()) {
            return new NothingYet();
        }
        return new Stuck("scorer.judge=student learns from human feedback, but no dialogue has questionnaire"
                + " feedback (only ReDial has it) and the LLM judgement cache is empty. Use --dataset redial,"
                + " or set scorer.student.teacher=llm with an LLM endpoint and key (scorer.llm.*), or use"
                + " scorer.judge=retrieval-only or scorer.judge=llm");
    }
}
