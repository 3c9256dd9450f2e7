package org.crsaug.retriever;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.data.dataset.DatasetSink;
import org.crsaug.data.dataset.Datasets;
import org.crsaug.data.dataset.ParseFailure;
import org.crsaug.model.encoder.MiniLmEncoder;
import org.crsaug.testkit.DataSet;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On part of the INSPIRED catalogue (synthetic, and real where present), a request that names a theme
 * retrieves mostly films of that genre, far above the genre's share of the catalogue. Genres are not in the query's words for the
 * animation case ("cartoon", "kids"), so this checks meaning, not string overlap.
 */
class SemanticSanityTest {

    private static final int CATALOGUE = 300;
    private static MiniLmEncoder encoder;
    /** Built once per data set: indexing a catalogue takes seconds. */
    private static final Map<DataSet, Indexed> INDEXED = new ConcurrentHashMap<>();

    private record Indexed(List<Item> items, RetrieverParts parts) {
    }

    @BeforeAll
    static void encoder(@TempDir Path models) {
        encoder = new MiniLmEncoder(models, 16);
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    private static Indexed index(DataSet data) {
        return INDEXED.computeIfAbsent(data, d -> {
            List<Item> all = new ArrayList<>();
            Datasets.read("inspired", d.dir("inspired"), new DatasetSink() {
                @Override
                public void item(Item item) {
                    all.add(item);
                }

                @Override
                public void dialogue(Dialogue dialogue) {
                }

                @Override
                public void failure(ParseFailure failure) {
                }
            });
            List<Item> items = all.stream().filter(i -> i.getHasMetadata() && !i.getGenres().isEmpty())
                    .limit(CATALOGUE).toList();
            RetrieverParts parts = RetrieverParts.of(encoder, new EmbeddingCache(encoder.id()),
                    new ConcurrentHashMap<>(), RetrieverSettings.fromConfig(CrsConfig.defaults()));
            ItemEmbedder.index(items, parts);
            return new Indexed(items, parts);
        });
    }

    private static double share(List<Item> list, String genre) {
        return list.stream().filter(i -> i.getGenres().stream().anyMatch(g -> g.equalsIgnoreCase(genre))).count() / (double) list.size();
    }

    private static List<Item> top10(Indexed indexed, String request) {
        float[] q = encoder.encode(List.of("Seeker: " + request))[0];
        Map<String, Item> byId = indexed.parts().items();
        return indexed.parts().index().search(q, 10, List.of()).stream().map(h -> byId.get(h.itemId())).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.crsaug.testkit.DataSlices#dataSets")
    void aHorrorRequestRetrievesHorrorFilms(DataSet data) {
        Indexed indexed = index(data);
        List<Item> top = top10(indexed, "I want something really scary tonight: ghosts, demons, a haunted house, lots of screaming.");
        assertThat(share(indexed.items(), "Horror")).isLessThan(0.25);
        assertThat(share(top, "Horror")).as("horror among the top 10: %s", top).isGreaterThanOrEqualTo(0.6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.crsaug.testkit.DataSlices#dataSets")
    void aRequestForKidsCartoonsRetrievesAnimatedFilms(DataSet data) {
        Indexed indexed = index(data);
        List<Item> top = top10(indexed, "Looking for a cartoon to watch with my little kids, talking animals would be great.");
        assertThat(share(indexed.items(), "Animation")).isLessThan(0.15);
        assertThat(share(top, "Animation")).as("animation among the top 10: %s", top).isGreaterThanOrEqualTo(0.5);
    }
}
