package org.crsaug.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.crsaug.model.recommender.EvalContext;
import org.crsaug.model.recommender.Example;
import org.crsaug.model.recommender.RecommenderTrainer;
import org.crsaug.model.recommender.SequentialBackbone;
import org.crsaug.model.recommender.TrainedRecommender;
import org.crsaug.model.recommender.TrainerSettings;
import org.crsaug.model.recommender.TrainingData;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.model.training.Catalogue;
import org.junit.jupiter.api.Test;

/**
 * The collaborative model reads a checkpoint's contexts through item ids, since its own catalogue (every
 * title) and the checkpoint's (often only the items with metadata, in another order) differ.
 */
class CollaborativeModelTest {

    private static TrainedRecommender tinyModel(int items) {
        List<Example> real = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            real.add(new Example(new float[2], (i + 1) % items, new int[] {i % items}));
        }
        return new RecommenderTrainer().train(new TrainingData(items, null, real, List.of(), List.of()),
                new TrainerSettings(8, 0.01, 8, 0, 1, 0.0, 1.0, 0, 7L, TrainingMode.BASELINE, SequentialBackbone.NAME));
    }

    @Test
    void logitsFollowItemIdsIntoTheCheckpointsCatalogue() {
        Catalogue own = new Catalogue(List.of("a", "b", "c", "d", "e"));
        Catalogue checkpoint = new Catalogue(List.of("c", "a", "z"));
        try (TrainedRecommender model = tinyModel(5)) {
            float[][] expected = model.score(new float[2][2], new int[][] {{0}, {2, 0}});
            try (CollaborativeModel cf = new CollaborativeModel("collaborative-test", own, tinyModel(5))) {
                float[][] logits = cf.logits(checkpoint, List.of(
                        new EvalContext(new float[4], new int[] {0}, new int[] {1}, new int[] {1}),
                        new EvalContext(new float[4], new int[] {0}, new int[] {2}, new int[] {2}),
                        new EvalContext(new float[4], new int[] {2}, new int[] {0, 1}, new int[] {0, 1})));
                // "a" alone; "z" is unknown, so the second context has nothing to condition on; "c" then "a"
                assertThat(logits[0]).containsExactly(expected[0][2], expected[0][0], Float.NaN);
                assertThat(logits[1]).isNull();
                assertThat(logits[2]).containsExactly(expected[1][2], expected[1][0], Float.NaN);
            }
        }
    }

    @Test
    void aModelAndACatalogueOfDifferentSizesAreRefused() {
        assertThatThrownBy(() -> new CollaborativeModel("collaborative-test", new Catalogue(List.of("a", "b")),
                tinyModel(5))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 items");
    }
}
