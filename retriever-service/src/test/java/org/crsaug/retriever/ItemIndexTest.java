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

    @Test
    void aBatchOfQueriesScoresEveryItemExactlyAsOneQueryAtATimeAndAsAPlainDotProduct() {
        java.util.Random rnd = new java.util.Random(3);
        int dim = 37;
        ItemIndex index = new ItemIndex();
        float[][] items = new float[300][dim];
        for (int i = 0; i < items.length; i++) {
            for (int d = 0; d < dim; d++) {
                items[i][d] = (float) rnd.nextGaussian();
            }
            index.upsert(String.format("i%03d", i), items[i]);
        }
        // 70 queries: two full blocks and a remainder, so every path of the blocked scorer is used
        float[][] queries = new float[70][dim];
        for (float[] q : queries) {
            for (int d = 0; d < dim; d++) {
                q[d] = (float) rnd.nextGaussian();
            }
        }
        List<List<ItemIndex.Hit>> batched = index.searchBatch(queries, 5,
                java.util.Collections.nCopies(queries.length, Set.<String>of()));
        for (int q = 0; q < queries.length; q++) {
            assertThat(batched.get(q)).isEqualTo(index.search(queries[q], 5, Set.of()));
            for (ItemIndex.Hit hit : batched.get(q)) {
                float[] item = items[Integer.parseInt(hit.itemId().substring(1))];
                float expected = 0;
                for (int d = 0; d < dim; d++) {
                    expected += item[d] * queries[q][d];
                }
                assertThat(hit.score()).isEqualTo(expected);
                assertThat(index.score(queries[q], hit.itemId())).isEqualTo(expected);
            }
        }
        // every item, not only the winners: 300 items are two full tiles and a part, 37 dimensions are
        // nine passes of four and a remainder; excluded ids (one unknown, one given twice) never come back
        List<String> excluded = List.of("i007", "i250", "i007", "nope");
        List<List<ItemIndex.Hit>> all = index.searchBatch(java.util.Arrays.copyOf(queries, 17), items.length,
                java.util.Collections.nCopies(17, excluded));
        for (int q = 0; q < all.size(); q++) {
            assertThat(all.get(q)).hasSize(items.length - 2)
                    .extracting(ItemIndex.Hit::itemId).doesNotContain("i007", "i250");
            for (ItemIndex.Hit hit : all.get(q)) {
                float[] item = items[Integer.parseInt(hit.itemId().substring(1))];
                float expected = 0;
                for (int d = 0; d < dim; d++) {
                    expected += item[d] * queries[q][d];
                }
                assertThat(Float.floatToRawIntBits(hit.score())).isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }

    @Test
    void theCentredIndexScoresBitForBitTheSameWhateverOrderItemsArriveIn() {
        java.util.Random rnd = new java.util.Random(5);
        int dim = 24;
        List<String> ids = new java.util.ArrayList<>();
        java.util.Map<String, float[]> vectors = new java.util.HashMap<>();
        for (int i = 0; i < 500; i++) {
            float[] v = new float[dim];
            for (int d = 0; d < dim; d++) {
                v[d] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(6) - 3));
            }
            ids.add("i" + i);
            vectors.put("i" + i, v);
        }
        ItemIndex inOrder = new ItemIndex(true);
        ids.forEach(id -> inOrder.upsert(id, vectors.get(id)));
        java.util.Collections.shuffle(ids, new java.util.Random(11));
        ItemIndex shuffled = new ItemIndex(true);
        ids.forEach(id -> shuffled.upsert(id, vectors.get(id)));

        assertThat(shuffled.mean()).containsExactly(inOrder.mean());
        float[] query = vectors.get("i7");
        for (String id : ids) {
            assertThat(shuffled.score(query, id)).isEqualTo(inOrder.score(query, id));
        }
    }

    @Test
    void aBatchSplitOverThreadsGivesTheSameHitsAsOneThreadEachQueryWithItsOwnExclusions() {
        java.util.Random rnd = new java.util.Random(9);
        int dim = 16;
        ItemIndex one = new ItemIndex(false, 1);
        ItemIndex three = new ItemIndex(false, 3);
        for (int i = 0; i < 200; i++) {
            float[] v = new float[dim];
            for (int d = 0; d < dim; d++) {
                v[d] = (float) rnd.nextGaussian();
            }
            one.upsert("i" + i, v);
            three.upsert("i" + i, v);
        }
        // 100 queries are seven blocks, cut into runs of two, two and three; each query excludes its own
        // best item, so an exclusion applied to the wrong query (or thread) would show up as a missing hit
        float[][] queries = new float[100][dim];
        for (float[] q : queries) {
            for (int d = 0; d < dim; d++) {
                q[d] = (float) rnd.nextGaussian();
            }
        }
        List<Set<String>> excluded = new java.util.ArrayList<>();
        for (float[] q : queries) {
            excluded.add(Set.of(one.search(q, 1, Set.of()).get(0).itemId()));
        }
        List<List<ItemIndex.Hit>> alone = one.searchBatch(queries, 10, excluded);
        List<List<ItemIndex.Hit>> split = three.searchBatch(queries, 10, excluded);
        assertThat(split).isEqualTo(alone);
        for (int q = 0; q < queries.length; q++) {
            assertThat(split.get(q)).hasSize(10).extracting(ItemIndex.Hit::itemId)
                    .doesNotContainAnyElementsOf(excluded.get(q));
        }
        assertThat(three.searchBatch(new float[0][], 10, List.of())).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ItemIndex(false, 0))
                .hasMessageContaining("at least one thread");
    }
}
