package org.crsaug.scorer.student;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Fits a student on a teacher's examples and measures it on the held-out ones. */
public final class StudentTraining {

    /** The trained model (caller closes it) and what it scored on held-out examples. */
    public record Result(StudentModel model, String versionId, Properties meta) {
    }

    private StudentTraining() {
    }

    public static Result train(String teacher, String encoderId, TeacherExamples.Split split,
            StudentModel.Settings s) {
        // early stopping looks at one training context in ten, never at the held-out set it reports on
        List<TeacherExamples.Example> fit = new ArrayList<>();
        List<TeacherExamples.Example> valid = new ArrayList<>();
        for (TeacherExamples.Example e : split.train()) {
            (Math.floorMod(e.contextId().hashCode() * 31 + 7, 10) == 0 ? valid : fit).add(e);
        }
        if (fit.isEmpty()) {
            fit = valid;
            valid = List.of();
        }
        StudentModel model = StudentModel.train(features(fit), targets(fit), features(valid), targets(valid), s);
        Properties meta = new Properties();
        meta.setProperty("teacher", teacher);
        meta.setProperty("encoder.id", encoderId);
        meta.setProperty("input.size", Integer.toString(model.inputSize()));
        meta.setProperty("hidden", Integer.toString(s.hidden()));
        meta.setProperty("train.examples", Integer.toString(split.train().size()));
        meta.setProperty("heldout.examples", Integer.toString(split.heldOut().size()));
        // measured on the teacher's own judgements only: the sampled unrelated items are our
        // construction, and counting them would flatter the student with easy cases
        List<TeacherExamples.Example> judged = judgedOnly(split.heldOut());
        List<TeacherExamples.Example> judgedTrain = judgedOnly(split.train());
        if (!judged.isEmpty()) {
            float[] scores = model.score(features(judged));
            meta.setProperty("heldout.judged", Integer.toString(judged.size()));
            meta.setProperty("heldout.mse", Double.toString(StudentModel.mse(scores, targets(judged))));
            double auc = TeacherExamples.aucLikedVsNotLiked(judged, scores);
            if (!Double.isNaN(auc)) {
                meta.setProperty("heldout.auc.liked", Double.toString(auc));
            }
            meta.setProperty("heldout.mse.constant", Double.toString(constantMse(judgedTrain, judged)));
        }
        // the sampled unrelated items do count for the question S@k asks: is a suggestion better than chance
        if (!split.heldOut().isEmpty()) {
            double named = TeacherExamples.aucNamedVsUnrelated(split.heldOut(),
                    model.score(features(split.heldOut())));
            if (!Double.isNaN(named)) {
                meta.setProperty("heldout.auc.named", Double.toString(named));
            }
        }
        String settings = s + "|" + encoderId;
        return new Result(model, StudentArtifacts.versionId(teacher, split.train(), settings), meta);
    }

    /** Human liked/not-liked answers when there are any; LLM judgements (which carry none) otherwise. */
    static List<TeacherExamples.Example> judgedOnly(List<TeacherExamples.Example> examples) {
        boolean human = examples.stream().anyMatch(e -> e.liked() != null);
        return human ? examples.stream().filter(e -> e.liked() != null).toList() : examples;
    }

    /** MSE of always predicting the training mean: what the student has to beat. */
    static double constantMse(List<TeacherExamples.Example> train, List<TeacherExamples.Example> heldOut) {
        double mean = train.stream().mapToDouble(TeacherExamples.Example::target).average().orElse(0);
        return heldOut.stream().mapToDouble(e -> (e.target() - mean) * (e.target() - mean)).average().orElse(Double.NaN);
    }

    static float[][] features(List<TeacherExamples.Example> examples) {
        float[][] x = new float[examples.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = examples.get(i).features();
        }
        return x;
    }

    static float[] targets(List<TeacherExamples.Example> examples) {
        float[] y = new float[examples.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = examples.get(i).target();
        }
        return y;
    }
}
