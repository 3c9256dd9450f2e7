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
import org.crsaug.testkit.DataSlices;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On part of the real INSPIRED catalogue, a request that names a theme retrieves mostly films of that
 * genre, far above the genre's share of the catalogue. Genres are not in the query's words for the
 * animation case ("cartoon", "kids"), so this checks meaning, not string overlap.
 */
class SemanticSanityTest {

    private static final int CATALOGUE = 300;
    private static MiniLmEncoder encoder;
    private static RetrieverParts parts;
    private static List<Item> items;

    @BeforeAll
    static void index(@TempDir Path models) {
        Path inspired = DataSlices.mirror().resolve("inspired");
        List<Item> all = new ArrayList<>();
        Datasets.read("inspired", inspired, new DatasetSink() {
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
        items = all.stream().filter(i -> i.getHasMetadata() && !i.getGenres().isEmpty()).limit(CATALOGUE).toList();
        encoder = new MiniLmEncoder(models, 16);
        parts = RetrieverParts.of(encoder, new EmbeddingCache(encoder.id()), new ConcurrentHashMap<>(),
                RetrieverSettings.fromConfig(CrsConfig.defaults()));
        ItemEmbedder.index(items, parts);
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    private static double share(List<Item> list, String genre) {
        return list.stream().filter(i -> i.getGenres().stream().anyMatch(g -> g.equalsIgnoreCase(genre))).count() / (double) list.size();
    }

    private static List<Item> top10(String request) {
        float[] q = encoder.encode(List.of("Seeker: " + request))[0];
        Map<String, Item> byId = parts.items();
        return parts.index().search(q, 10, List.of()).stream().map(h -> byId.get(h.itemId())).toList();
    }

    @Test
    void aHorrorRequestRetrievesHorrorFilms() {
        List<Item> top = top10("I want something really scary tonight: ghosts, demons, a haunted house, lots of screaming.");
        assertThat(share(items, "Horror")).isLessThan(0.25);
        assertThat(share(top, "Horror")).as("horror among the top 10: %s", top).isGreaterThanOrEqualTo(0.6);
    }

    @Test
    void aRequestForKidsCartoonsRetrievesAnimatedFilms() {
        List<Item> top = top10("Looking for a cartoon to watch with my little kids, talking animals would be great.");
        assertThat(share(items, "Animation")).isLessThan(0.15);
        assertThat(share(top, "Animation")).as("animation among the top 10: %s", top).isGreaterThanOrEqualTo(0.5);
    }
}
