package org.crsaug.data.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("mirror")
class InspiredReaderTest {

    private static CollectingSink sink;
    private static InspiredReader reader;

    @BeforeAll
    static void readMirror() {
        reader = new InspiredReader(MirrorData.dir("inspired"));
        sink = new CollectingSink();
        reader.read(sink);
    }

    @Test
    void standardSplitIsComplete() {
        assertThat(sink.failures).isEmpty();
        assertThat(sink.dialoguesBySplit()).containsExactlyInAnyOrderEntriesOf(
                Map.of("train", 801L, "valid", 99L, "test", 99L));
        assertThat(sink.dialoguesById()).hasSize(999);
        assertThat(sink.dialoguesById()).containsKeys("inspired:train:1", "inspired:valid:99", "inspired:test:99");
    }

    @Test
    void catalogueAndTitleOnlyItemsComeOnceAndBeforeDialogues() {
        assertThat(sink.itemAfterDialogue).isFalse();
        assertThat(sink.itemsById()).hasSize(sink.items.size());
        List<Item> withMetadata = sink.items.stream().filter(Item::getHasMetadata).toList();
        assertThat(withMetadata).hasSize(1096);
        assertThat(withMetadata).allSatisfy(i -> assertThat(i.getItemId()).matches("inspired:\\d+"));
        assertThat(sink.items).filteredOn(i -> !i.getHasMetadata())
                .isNotEmpty()
                .allSatisfy(i -> {
                    assertThat(i.getItemId()).startsWith("inspired:t:");
                    assertThat(i.getPlot()).isNull();
                    assertThat(i.getTitle()).isNotBlank();
                });
        Item antlers = sink.itemsById().get("inspired:0");
        assertThat(antlers.getTitle()).isEqualTo("Antlers (2020)");
        assertThat(antlers.getYear()).isEqualTo(2020);
        assertThat(antlers.getPlot()).startsWith("A small-town Oregon teacher");
        assertThat(antlers.getDirectors()).containsExactly("Scott Cooper");
        assertThat(antlers.getStars()).contains("Keri Russell");
        assertThat(antlers.getGenres()).containsExactly("horror");
        System.out.printf("INSPIRED items: %d (%d with metadata), blank titles ignored: %d%n",
                sink.items.size(), withMetadata.size(), reader.blankTitles());
    }

    @Test
    void everyMentionResolvesToAnEmittedItem() {
        Set<String> ids = sink.itemsById().keySet();
        Set<String> mentioned = new HashSet<>();
        for (Dialogue d : sink.dialogues) {
            assertThat(d.getTurns()).as(d.getDialogueId()).isNotEmpty();
            for (Turn t : d.getTurns()) {
                assertThat(t.getMentionedItemIds()).doesNotHaveDuplicates();
                mentioned.addAll(t.getMentionedItemIds());
            }
        }
        assertThat(ids).containsAll(mentioned);
        // every title-only item exists because a dialogue named it
        assertThat(mentioned).containsAll(sink.items.stream().filter(i -> !i.getHasMetadata())
                .map(Item::getItemId).toList());
    }

    @Test
    void turnsKeepOrderRolesAndMentions() {
        Dialogue first = sink.dialoguesById().get("inspired:train:1");
        assertThat(first.getDataset()).isEqualTo("inspired");
        assertThat(first.getSource()).isEqualTo("inspired/train.jsonl:1");
        assertThat(first.getFeedback()).isEmpty();
        Turn t0 = first.getTurns().get(0);
        assertThat(t0.getRole()).isEqualTo(Role.RECOMMENDER);
        assertThat(t0.getText()).startsWith("Hi There!");
        assertThat(first.getTurns().get(1).getRole()).isEqualTo(Role.SEEKER);
        // entity2id maps "Knives Out (2019)" to 84 and "Joker (2019)" to 219
        assertThat(first.getTurns().get(2).getMentionedItemIds()).containsExactly("inspired:84");
        assertThat(first.getTurns().get(3).getMentionedItemIds()).containsExactly("inspired:219");
    }

    @Test
    void titlesResolveIgnoringCase() {
        // dialogues write "GoodFellas (1990)" while entity2id has "Goodfellas (1990)"
        Set<String> withGoodfellas = sink.dialogues.stream()
                .flatMap(d -> d.getTurns().stream())
                .filter(t -> t.getText().toLowerCase().contains("goodfellas"))
                .flatMap(t -> t.getMentionedItemIds().stream())
                .collect(Collectors.toSet());
        assertThat(withGoodfellas).contains("inspired:2408");
        assertThat(sink.itemsById()).doesNotContainKey("inspired:t:goodfellas (1990)");
    }

    @Test
    void contextsCanBeDerived() {
        Map<String, Long> contexts = sink.dialogues.stream().collect(Collectors.groupingBy(Dialogue::getSplit,
                Collectors.summingLong(d -> DialogueContexts.derive(d).size())));
        assertThat(contexts.get("train")).isPositive();
        assertThat(contexts.get("test")).isPositive();
        System.out.println("INSPIRED contexts by split: " + contexts);
    }
}
