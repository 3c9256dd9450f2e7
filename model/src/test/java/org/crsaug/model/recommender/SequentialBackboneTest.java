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
 * A planted sequential pattern: dialogues name a few random items, and whatever item was named last is
 * always followed by its "successor". The context text is noise, and the earlier items are noise too, so
 * the model has to read the order of the mentions, not just which items were named.
 */
class SequentialBackboneTest {

    private static final int DIM = 8;
    private static final int ITEMS = 30;

    private static List<Example> real;
    private static List<Example> augmented;
    private static List<EvalContext> validation;

    /** Never the item itself: 6a = 27 (mod 30) has no solution. */
    private static int successor(int item) {
        return (item * 7 + 3) % ITEMS;
    }

    @BeforeAll
    static void makeData() {
        Random rng = new Random(11);
        real = new ArrayList<>();
        augmented = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            int[] seq = sequence(rng);
            float[] c = noise(rng);
            int next = successor(seq[seq.length - 1]);
            real.add(new Example(c, next, seq));
            augmented.add(new Example(c, next, seq));
            augmented.add(new Example(c, successor(next), seq));
        }
        validation = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            int[] seq = sequence(rng);
            validation.add(new EvalContext(noise(rng), new int[] {successor(seq[seq.length - 1])}, seq, seq));
        }
    }

    /** One to four distinct items in random order. */
    private static int[] sequence(Random rng) {
        int len = 1 + rng.nextInt(4);
        List<Integer> items = new ArrayList<>();
        while (items.size() < len) {
            int item = rng.nextInt(ITEMS);
            if (!items.contains(item)) {
                items.add(item);
            }
        }
        return items.stream().mapToInt(Integer::intValue).toArray();
    }

    private static float[] noise(Random rng) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) rng.nextGaussian() / 4;
        }
        return v;
    }

    private static TrainingData data() {
        return new TrainingData(ITEMS, null, real, augmented, validation);
    }

    private static TrainerSettings settings(TrainingMode mode, int finetuneEpochs) {
        return new TrainerSettings(32, 0.005, 32, 1, finetuneEpochs, 0.2, 1.0, 0, 42L, mode,
                SequentialBackbone.NAME);
    }

    private static int top(float[] scores, int... excluded) {
        int best = -1;
        for (int i = 0; i < scores.length; i++) {
            final int item = i;
            if (java.util.Arrays.stream(excluded).anyMatch(e -> e == item)) {
                continue;
            }
            if (best < 0 || scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void learnsThatAnItemIsFollowedByItsSuccessorAndReadsTheOrder() {
        try (TrainedRecommender r = new RecommenderTrainer().train(data(), settings(TrainingMode.BASELINE, 5))) {
            assertThat(r.backbone()).isEqualTo(SequentialBackbone.NAME);
            // chance is about 1/28 after the mentioned items are removed
            assertThat(r.validationMetrics().get("recall@1")).isGreaterThan(0.9);
            float[][] context = new float[ITEMS][DIM];
            int[][] alone = new int[ITEMS][];
            int[][] after = new int[ITEMS][];
            for (int a = 0; a < ITEMS; a++) {
                alone[a] = new int[] {a};
                // the same two items in the other order must change the answer
                after[a] = new int[] {a, (a + 1) % ITEMS};
            }
            float[][] single = r.score(context, alone);
            float[][] pairs = r.score(context, after);
            for (int a = 0; a < ITEMS; a++) {
                assertThat(top(single[a], a)).as("top item after %d", a).isEqualTo(successor(a));
                int b = (a + 1) % ITEMS;
                if (successor(b) != a) {
                    assertThat(top(pairs[a], a, b)).as("top item after %d then %d", a, b).isEqualTo(successor(b));
                }
            }
        }
    }

    @Test
    void aContextWithoutMentionsIsRankedByPopularityAloneAndTheTextIsIgnored() {
        try (TrainedRecommender r = new RecommenderTrainer().train(data(), settings(TrainingMode.BASELINE, 1))) {
            Random rng = new Random(3);
            float[][] scores = r.score(new float[][] {noise(rng), noise(rng)}, new int[][] {{}, {}});
            assertThat(scores[0]).containsExactly(scores[1]);
            float[][] sameItems = r.score(new float[][] {noise(rng), noise(rng)}, new int[][] {{4, 9}, {4, 9}});
            assertThat(sameItems[0]).containsExactly(sameItems[1]);
        }
    }

    @Test
    void everyModeRunsAndASavedModelScoresIdentically(@TempDir Path dir) throws IOException {
        float[][] probe = {noise(new Random(1)), noise(new Random(2))};
        int[][] mentions = {{3, 1, 4}, {}};
        for (TrainingMode mode : TrainingMode.values()) {
            try (TrainedRecommender r = new RecommenderTrainer().train(data(), settings(mode, 1))) {
                assertThat(r.history()).as(mode.label()).isNotEmpty();
                Path file = dir.resolve(mode.label());
                r.save(file);
                try (TrainedRecommender back = TrainedRecommender.load(file)) {
                    assertThat(back.backbone()).isEqualTo(SequentialBackbone.NAME);
                    assertThat(back.score(probe, mentions)).isDeepEqualTo(r.score(probe, mentions));
                }
            }
        }
    }

    @Test
    void keepsTheMostRecentMentionsOfALongDialogueAndRejectsUnknownItems() {
        try (TrainedRecommender r = new RecommenderTrainer().train(data(), settings(TrainingMode.BASELINE, 1))) {
            int[] longer = new int[SequentialBackbone.MAX_LENGTH + 5];
            for (int i = 0; i < longer.length; i++) {
                longer[i] = i % ITEMS;
            }
            int[] window = java.util.Arrays.copyOfRange(longer, 5, longer.length);
            float[][] ctx = new float[2][DIM];
            float[][] scores = r.score(ctx, new int[][] {longer, window});
            assertThat(scores[0]).containsExactly(scores[1]);
            assertThatThrownBy(() -> r.score(new float[1][DIM], new int[][] {{ITEMS}}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the catalogue");
        }
    }
}
