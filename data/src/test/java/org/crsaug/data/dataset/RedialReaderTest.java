package org.crsaug.data.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.schema.ItemFeedback;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("mirror")
class RedialReaderTest {

    private static CollectingSink sink;
    private static RedialReader reader;

    @BeforeAll
    static void readMirror() {
        reader = new RedialReader(MirrorData.dir("redial"));
        sink = new CollectingSink();
        reader.read(sink);
    }

    @Test
    void allMirrorFilesAreRead() {
        assertThat(sink.failures).isEmpty();
        assertThat(sink.dialoguesBySplit()).containsExactlyInAnyOrderEntriesOf(Map.of("train", 3469L + 644L, "test", 1342L));
        Map<String, Long> bySource = sink.dialogues.stream().collect(Collectors.groupingBy(
                d -> d.getSource().substring(0, d.getSource().lastIndexOf(':')), Collectors.counting()));
        assertThat(bySource).containsExactlyInAnyOrderEntriesOf(Map.of(
                "redial/train_data_partial.jsonl", 3469L,
                "redial/train_data_merged_turns.jsonl", 644L,
                "redial/test_data.jsonl", 1342L));
        assertThat(sink.dialoguesById()).hasSize(3469 + 644 + 1342);
        assertThat(sink.dialogues).allSatisfy(d -> assertThat(d.getTurns()).isNotEmpty());
    }

    @Test
    void catalogueHasEveryListedMovieWithMetadataWherePresent() {
        assertThat(sink.itemAfterDialogue).isFalse();
        assertThat(sink.itemsById()).hasSize(6924);
        assertThat(sink.items.stream().filter(Item::getHasMetadata).count()).isEqualTo(6583);
        Map<String, Item> items = sink.itemsById();
        Item pari = items.get("redial:100026");
        assertThat(pari.getTitle()).isEqualTo("Pari (1995)");
        assertThat(pari.getYear()).isEqualTo(1995);
        assertThat(pari.getWriters()).containsExactly("J.D. Salinger", "Dariush Mehrjui");
        assertThat(pari.getPlot()).startsWith("Haunted by a book");
        // quoted CSV field with commas
        assertThat(items.get("redial:79370").getTitle()).isEqualTo("The Way, Way Back (2013)");
        // "Headhunter  (2009)" in the CSV, without metadata
        assertThat(items.get("redial:75796").getTitle()).isEqualTo("Headhunter (2009)");
        // URL-encoded in the CSV ("Why Him%3F (2016)")
        assertThat(items.get("redial:100493").getTitle()).isEqualTo("Why Him? (2016)");
        assertThat(sink.items).noneMatch(i -> i.getTitle().contains("  ") || i.getTitle().contains("%3F"));
    }

    @Test
    void consecutiveMessagesOfOneSenderBecomeOneTurnWithTitlesInText() {
        Dialogue d = sink.dialoguesById().get("redial:391");
        List<Turn> turns = d.getTurns();
        assertThat(turns.get(0).getRole()).isEqualTo(Role.SEEKER);
        assertThat(turns.get(1).getRole()).isEqualTo(Role.RECOMMENDER);
        Turn merged = turns.get(2);
        assertThat(merged.getRole()).isEqualTo(Role.SEEKER);
        assertThat(merged.getText()).isEqualTo("I like animations like The Triplets of Belleville (2003) and "
                + "Waking Life (2001) I also enjoy Mary and Max (2009) Anything artistic");
        assertThat(merged.getMentionedItemIds()).containsExactly("redial:84779", "redial:191602", "redial:122159");
        assertThat(turns.get(3).getMentionedItemIds()).containsExactly("redial:165710");
        // the dialogue's own "A Scanner Darkly  (2006)" loses the double space
        assertThat(turns).anySatisfy(t -> assertThat(t.getText()).contains("Like A Scanner Darkly (2006) for example"));
        assertThat(turns.size()).isLessThan(19);
    }

    @Test
    void everyDialogueAlternatesSpeakersAndNoMentionIsLeftRaw() {
        Pattern raw = Pattern.compile("@\\d+");
        Set<String> itemIds = sink.itemsById().keySet();
        Set<String> mentioned = new HashSet<>();
        for (Dialogue d : sink.dialogues) {
            for (int i = 1; i < d.getTurns().size(); i++) {
                assertThat(d.getTurns().get(i).getRole()).as(d.getDialogueId() + " turn " + i)
                        .isNotEqualTo(d.getTurns().get(i - 1).getRole());
            }
            for (Turn t : d.getTurns()) {
                assertThat(raw.matcher(t.getText()).find()).as(d.getDialogueId() + ": " + t.getText()).isFalse();
                mentioned.addAll(t.getMentionedItemIds());
            }
        }
        assertThat(itemIds).containsAll(mentioned);
        assertThat(reader.unresolvedMentions()).isZero();
        System.out.printf("ReDial: %d distinct items mentioned; unresolved @ids %d, outside catalogue %d, "
                        + "feedback outside catalogue %d%n", mentioned.size(), reader.unresolvedMentions(),
                reader.mentionsOutsideCatalogue(), reader.feedbackOutsideCatalogue());
    }

    @Test
    void questionnairesBecomeFeedback() {
        List<ItemFeedback> feedback = sink.dialoguesById().get("redial:391").getFeedback();
        assertThat(feedback).filteredOn(f -> f.getRespondent().equals("recommender")).hasSize(6);
        ItemFeedback fantasy = feedback.stream()
                .filter(f -> f.getRespondent().equals("seeker") && f.getItemId().equals("redial:203371"))
                .findFirst().orElseThrow();
        assertThat(fantasy.getSuggested()).isTrue();
        assertThat(fantasy.getSeen()).isFalse();
        assertThat(fantasy.getLiked()).isTrue();
        // 2 = "did not say"
        assertThat(sink.dialogues.stream().flatMap(d -> d.getFeedback().stream()))
                .anyMatch(f -> f.getLiked() == null)
                .allMatch(f -> f.getRespondent().equals("seeker") || f.getRespondent().equals("recommender"));
        long answers = sink.dialogues.stream().mapToLong(d -> d.getFeedback().size()).sum();
        System.out.println("ReDial questionnaire answers: " + answers);
    }

    @Test
    void contextsCanBeDerived() {
        Map<String, Long> contexts = sink.dialogues.stream().collect(Collectors.groupingBy(Dialogue::getSplit,
                Collectors.summingLong(d -> DialogueContexts.derive(d).size())));
        assertThat(contexts.get("train")).isPositive();
        assertThat(contexts.get("test")).isPositive();
        System.out.println("ReDial contexts by split: " + contexts);
    }
}
