package org.crsaug.scorer.student;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StudentTrainingTest {

    @Test
    void recordsHowWellTheStudentTellsNamedItemsFromUnrelatedOnes() {
        // Given contexts whose named items (liked or not, at random) carry a signal in their features and
        // whose sampled unrelated items do not
        Random rng = new Random(7);
        List<TeacherExamples.Example> train = new ArrayList<>();
        List<TeacherExamples.Example> heldOut = new ArrayList<>();
        for (int c = 0; c < 300; c++) {
            List<TeacherExamples.Example> into = c % 5 == 0 ? heldOut : train;
            String context = "ctx-" + c;
            boolean liked = rng.nextBoolean();
            into.add(new TeacherExamples.Example(context, "named-" + c, liked ? 4 : 1, liked, features(rng, 1)));
            for (int n = 0; n < 2; n++) {
                into.add(new TeacherExamples.Example(context, "other-" + c + "-" + n, 0, null, features(rng, 0)));
            }
        }

        // When a student is trained on them
        StudentTraining.Result r = StudentTraining.train("human", "enc",
                new TeacherExamples.Split(train, heldOut), new StudentModel.Settings(16, 40, 32, 0.01, 42));
        try (StudentModel model = r.model()) {
            // Then the held-out numbers say it separates named from unrelated, and cannot tell liked from not
            assertThat(Double.parseDouble(r.meta().getProperty("heldout.auc.named"))).isGreaterThan(0.95);
            assertThat(Double.parseDouble(r.meta().getProperty("heldout.auc.liked"))).isBetween(0.3, 0.7);
        }
    }

    private static float[] features(Random rng, float signal) {
        float[] f = new float[8];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) rng.nextGaussian() * 0.3f;
        }
        f[0] += signal;
        return f;
    }
}
