package org.crsaug.retriever;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ItemIndexTest {

    @Test
    void returnsTheBestItemsByInnerProductSkippingExcludedOnes() {
        ItemIndex index = new ItemIndex();
        index.upsert("a", new float[] {1, 0});
        index.upsert("b", new float[] {0.8f, 0.6f});
        index.upsert("c", new float[] {0, 1});
        index.upsert("d", new float[] {-1, 0});

        assertThat(index.search(new float[] {1, 0}, 2, Set.of())).extracting(ItemIndex.Hit::itemId)
                .containsExactly("a", "b");
        assertThat(index.search(new float[] {1, 0}, 2, Set.of("a"))).extracting(ItemIndex.Hit::itemId)
                .containsExactly("b", "c");
        assertThat(index.search(new float[] {1, 0}, 10, List.of())).hasSize(4);
    }

    @Test
    void upsertReplacesAVectorAndTiesGoToTheSmallerId() {
        ItemIndex index = new ItemIndex();
        index.upsert("z", new float[] {1, 0});
        index.upsert("y", new float[] {1, 0});
        assertThat(index.search(new float[] {1, 0}, 1, Set.of()).get(0).itemId()).isEqualTo("y");
        index.upsert("y", new float[] {0, 1});
        assertThat(index.size()).isEqualTo(2);
        assertThat(index.search(new float[] {1, 0}, 1, Set.of()).get(0).itemId()).isEqualTo("z");
    }
}
