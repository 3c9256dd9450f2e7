package org.crsaug.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.dataset.CrossCatalogue;
import org.crsaug.model.recommender.Example;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.schema.Item;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;
import org.junit.jupiter.api.Test;

/** The other dataset's training contexts as first-stage examples, on a hand-made pair of catalogues. */
class ExtraPretrainingTest {

    private static Item item(String id, String title, Integer year) {
        return Item.newBuilder().setItemId(id).setDataset(id.substring(0, id.indexOf(':'))).setTitle(title)
                .setYear(year).build();
    }

    private static DialogueContext context(String id, List<String> mentioned, List<String> gold) {
        Turn seeker = Turn.newBuilder().setRole(Role.SEEKER).setText("something like these")
                .setMentionedItemIds(mentioned).build();
        return new DialogueContext(id, id.substring(0, id.indexOf('#')), "redial", "train", 1, List.of(seeker),
                gold, Set.copyOf(mentioned));
    }

    // r1 -> t1, r2 -> t2, r5 -> t5; r3 is another year's remake, r4 is not in the target at all
    private static final CrossCatalogue MAPPING = CrossCatalogue.of(
            List.of(item("redial:1", "The Matrix (1999)", 1999), item("redial:2", "WALL-E (2008)", 2008),
                    item("redial:3", "The Mummy (1999)", 1999), item("redial:4", "Never Made (2005)", 2005),
                    item("redial:5", "What's Up, Doc? (1972)", 1972)),
            List.of(item("inspired:t1", "the matrix (1999)", 1999), item("inspired:t2", "Wall E (2008)", 2008),
                    item("inspired:t3", "The Mummy (2017)", 2017), item("inspired:t5", "Whats Up Doc (1972)", 1972),
                    item("inspired:t6", "Unreached (2010)", 2010)));
    private static final Catalogue CATALOGUE = new Catalogue(
            List.of("inspired:t6", "inspired:t5", "inspired:t3", "inspired:t2", "inspired:t1"));

    @Test
    void mappedGoldBecomesExamplesWithMappedMentionsAndTheOverlapIsCounted() {
        List<DialogueContext> train = List.of(
                context("d1#1", List.of("redial:3", "redial:2"), List.of("redial:1", "redial:4")),
                context("d2#1", List.of("redial:1"), List.of("redial:3")),
                context("d3#1", List.of(), List.of("redial:5", "redial:1")),
                context("d4#1", List.of(), List.of("redial:2")));
        Map<String, float[]> vectors = Map.of("d1#1", new float[] {1, 0}, "d2#1", new float[] {0, 1},
                "d3#1", new float[] {1, 1});

        ExtraPretraining.Result r = ExtraPretraining.build("redial", train, MAPPING, CATALOGUE, vectors::get);

        // d1: its one mapped gold item, its mentions without the unmapped remake; d2: no mapped gold, dropped;
        // d3: two examples; d4: mapped but never encoded
        assertThat(r.examples()).extracting(Example::itemIndex).containsExactly(4, 1, 4);
        assertThat(r.examples().get(0).mentioned()).containsExactly(3);
        assertThat(r.examples().get(0).context()).containsExactly(1, 0);
        assertThat(r.examples().get(1).mentioned()).isEmpty();
        assertThat(r.contexts()).isEqualTo(2);
        assertThat(r.contextsWithoutVector()).isEqualTo(1);
        // named in training: r1..r5; with a counterpart in the catalogue: r1, r2, r5; reached: t1, t2, t5
        assertThat(r.sourceItemsMentioned()).isEqualTo(5);
        assertThat(r.sourceItemsMapped()).isEqualTo(3);
        assertThat(r.targetItemsReached()).isEqualTo(3);
        assertThat(r.stats()).containsEntry("extra_pretrain_examples", 3.0)
                .containsEntry("extra_source_items_mapped", 3.0).containsEntry("extra_target_items_reached", 3.0);
        assertThat(ExtraPretraining.describe(r.stats())).contains("3 of 5", "60.0%", "reaching 3 catalogue items",
                "3 examples from 2 contexts");
    }

    @Test
    void aCounterpartOutsideTheCatalogueDoesNotCount() {
        Catalogue withoutMatrix = new Catalogue(List.of("inspired:t2", "inspired:t5"));
        ExtraPretraining.Result r = ExtraPretraining.build("redial",
                List.of(context("d1#1", List.of(), List.of("redial:1"))), MAPPING, withoutMatrix,
                id -> new float[] {1});
        assertThat(r.examples()).isEmpty();
        assertThat(r.sourceItemsMapped()).isZero();
    }

    @Test
    void theSettingIsEmptyByDefaultAndNeverNamesTheTrainedDatasetItself() {
        CrsConfig defaults = CrsConfig.defaults();
        assertThat(ExtraPretraining.configured(defaults, "inspired")).isEmpty();
        assertThat(ExtraPretraining.configured(defaults.with(ExtraPretraining.SETTING, "ReDial"), "inspired"))
                .contains("redial");
        assertThatThrownBy(() -> ExtraPretraining.configured(defaults.with(ExtraPretraining.SETTING, "redial"),
                "redial")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("names the dataset being trained itself");
    }
}
