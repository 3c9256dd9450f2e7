package org.crsaug.model.recommender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synthetic collaborative task: the context text is pure noise, and the right item is the "partner" of the
 * item the dialogue mentioned earlier. Only a backbone that reads the mentioned items can learn it.
 */
class HybridBackboneTest {

    private static final int DIM = 16;
    private static final int ITEMS = 30;

    private static List<Example> real;
    private static List<Example> augmented;
    private static List<EvalContext> validation;
    private static float[][] probe;
    private static int[][] probeMentions;

    private static int partner(int item) {
        return (item * 7 + 3) % ITEMS;
    }

    @BeforeAll
    static void makeData() {
        Random rng = new Random(5);
        real = new ArrayList<>();
        augmented = new ArrayList<>();
        for (int i = 0; i < 900; i++) {
            int m = rng.nextInt(ITEMS);
            float[] c = noise(rng);
            real.add(new Example(c, partner(m), new int[] {m}));
            augmented.add(new Example(c, partner(m), new int[] {m}));
            augmented.add(new Example(c, partner(partner(m)), new int[] {m}));
        }
        validation = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            int m = rng.nextInt(ITEMS);
            validation.add(new EvalContext(noise(rng), new int[] {partner(m)}, new int[] {m}, new int[] {m}));
        }
        probe = new float[6][];
        probeMentions = new int[6][];
        for (int i = 0; i < probe.length; i++) {
            probe[i] = noise(rng);
            probeMentions[i] = new int[] {i, (i + 5) % ITEMS};
        }
    }

    private static float[] noise(Random rng) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) rng.nextGaussian() / 4;
        }
        return v;
    }

    private static TrainerSettings settings(String backbone, TrainingMode mode) {
        return new TrainerSettings(32, 0.01, 32, 3, 25, 0.2, 1.0, 0, 42L, mode, backbone);
    }

    private static TrainingData data() {
        return new TrainingData(ITEMS, null, real, augmented, validation);
    }

    @Test
    void onlyTheHybridBackboneLearnsFromMentionedItems() {
        double semantic;
        double hybrid;
        try (TrainedRecommender r = new RecommenderTrainer().train(data(), settings("semantic", TrainingMode.BASELINE))) {
            semantic = r.validationMetrics().get("recall@1");
        }
        try (TrainedRecommender r = new RecommenderTrainer().train(data(), settings("hybrid", TrainingMode.BASELINE))) {
            hybrid = r.validationMetrics().get("recall@1");
            assertThat(r.backbone()).isEqualTo("hybrid");
        }
        // chance level for recall@1 is 1/29 after the mentioned item is removed
        assertThat(semantic).isLessThan(0.15);
        assertThat(hybrid).isGreaterThan(0.8);
    }

    @Test
    void everyModeRunsWithTheHybridBackbone() {
        for (TrainingMode mode : TrainingMode.values()) {
            TrainerSettings s = new TrainerSettings(16, 0.01, 64, 1, 1, 0.2, 1.0, 0, 1L, mode, "hybrid");
            try (TrainedRecommender r = new RecommenderTrainer().train(data(), s)) {
                assertThat(r.history()).as(mode.label()).isNotEmpty();
                assertThat(r.score(probe, probeMentions)).hasNumberOfRows(probe.length);
            }
        }
    }

    @Test
    void savedHybridModelScoresIdenticallyAndUsesMentions(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("recommender");
        TrainerSettings s = new TrainerSettings(16, 0.01, 64, 0, 2, 0.0, 1.0, 0, 3L, TrainingMode.BASELINE, "hybrid");
        try (TrainedRecommender r = new RecommenderTrainer().train(data(), s)) {
            r.save(file);
            try (TrainedRecommender back = TrainedRecommender.load(file)) {
                assertThat(back.backbone()).isEqualTo("hybrid");
                assertThat(back.score(probe, probeMentions)).isDeepEqualTo(r.score(probe, probeMentions));
                assertThat(back.score(probe)).isNotEqualTo(back.score(probe, probeMentions));
            }
        }
    }

    @Test
    void warmStartContinuesFromTheGivenModelAndRejectsAnotherBackbone() {
        TrainerSettings s = new TrainerSettings(16, 0.01, 64, 0, 1, 0.0, 1.0, 0, 3L, TrainingMode.BASELINE, "hybrid");
        try (TrainedRecommender first = new RecommenderTrainer().train(data(), s);
                TrainedRecommender cold = new RecommenderTrainer().train(data(), s);
                TrainedRecommender warm = new RecommenderTrainer().train(data(), s, first)) {
            assertThat(cold.score(probe, probeMentions)).isDeepEqualTo(first.score(probe, probeMentions));
            assertThat(warm.score(probe, probeMentions)).isNotEqualTo(first.score(probe, probeMentions));
            TrainerSettings semantic = new TrainerSettings(16, 0.01, 64, 0, 1, 0.0, 1.0, 0, 3L,
                    TrainingMode.BASELINE, "semantic");
            assertThatThrownBy(() -> new RecommenderTrainer().train(data(), semantic, first))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("warm-start");
        }
    }

    @Test
    void mentionsOutsideTheCatalogueAreRejected() {
        TrainerSettings s = new TrainerSettings(16, 0.01, 64, 0, 1, 0.0, 1.0, 0, 3L, TrainingMode.BASELINE, "hybrid");
        try (TrainedRecommender r = new RecommenderTrainer().train(data(), s)) {
            assertThatThrownBy(() -> r.score(new float[][] {probe[0]}, new int[][] {{ITEMS}}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the catalogue");
        }
    }
}
