package org.crsaug.data.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.schema.Turn;
import org.junit.jupiter.api.Test;

/**
 * Both readers on the synthetic data the build generates (target/synthetic-data), which every build has: the reader checks
 * that need no real data run, and can fail, even where the mirror is absent. The mirror-only tests beside this
 * one pin facts of the real files.
 */
class SyntheticDataReaderTest {

    static Path synthetic(String dataset) {
        String dir = System.getProperty("crs.synthetic.data.dir");
        assertThat(dir).as("crs.synthetic.data.dir (set by the root pom)").isNotBlank();
        return Path.of(dir, dataset);
    }

    private static long lines(Path file) throws IOException {
        try (Stream<String> s = Files.lines(file)) {
            return s.filter(l -> !l.isBlank()).count();
        }
    }

    private static CollectingSink read(String dataset) {
        CollectingSink sink = new CollectingSink();
        Datasets.read(dataset, synthetic(dataset), sink);
        return sink;
    }

    /** Every mention is an emitted item and every dialogue yields contexts to train and test on. */
    private static void assertConsistent(CollectingSink sink) {
        assertThat(sink.failures).isEmpty();
        assertThat(sink.itemAfterDialogue).isFalse();
        Set<String> mentioned = new HashSet<>();
        for (Dialogue d : sink.dialogues) {
            assertThat(d.getTurns()).as(d.getDialogueId()).isNotEmpty();
            for (int i = 1; i < d.getTurns().size(); i++) {
                assertThat(d.getTurns().get(i).getRole()).as(d.getDialogueId() + " turn " + i)
                        .isNotEqualTo(d.getTurns().get(i - 1).getRole());
            }
            d.getTurns().stream().map(Turn::getMentionedItemIds).forEach(mentioned::addAll);
            assertThat(DialogueContexts.derive(d)).as(d.getDialogueId()).isNotEmpty();
        }
        assertThat(sink.itemsById().keySet()).containsAll(mentioned);
    }

    @Test
    void redialFilesAreReadWithTheirQuirks() throws IOException {
        Path dir = synthetic("redial");
        RedialReader reader = new RedialReader(dir);
        CollectingSink sink = new CollectingSink();
        reader.read(sink);

        assertConsistent(sink);
        assertThat(sink.dialoguesBySplit()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "train", lines(dir.resolve("train_data_partial.jsonl")) + lines(dir.resolve("train_data_merged_turns.jsonl")),
                "test", lines(dir.resolve("test_data.jsonl"))));
        assertThat(sink.items).hasSize((int) lines(dir.resolve("movies_with_mentions.csv")) - 1);
        assertThat(sink.items).filteredOn(Item::getHasMetadata).isNotEmpty().hasSizeLessThan(sink.items.size());
        assertThat(sink.items).extracting(Item::getTitle)
                .contains("Wait, What, Really (1979)", "Why Not? (2019)")
                .noneMatch(t -> t.contains("  ") || t.contains("%3F"));
        Pattern raw = Pattern.compile("@\\d+");
        assertThat(sink.dialogues).flatExtracting(Dialogue::getTurns).extracting(Turn::getText)
                .noneMatch(t -> raw.matcher(t).find());
        assertThat(reader.unresolvedMentions()).isZero();
        // split messages of one sender became one turn
        assertThat(sink.dialogues).flatExtracting(Dialogue::getTurns).extracting(Turn::getText)
                .anyMatch(t -> t.endsWith(" haha") || t.endsWith(" by the way"));
        assertThat(sink.dialogues).flatExtracting(Dialogue::getFeedback)
                .anyMatch(f -> f.getLiked() == null)
                .anyMatch(f -> Boolean.TRUE.equals(f.getSuggested()) && f.getRespondent().equals("recommender"));
    }

    @Test
    void inspiredFilesAreReadWithTitleOnlyItemsAndCaseInsensitiveTitles() throws IOException {
        Path dir = synthetic("inspired");
        CollectingSink sink = read("inspired");

        assertConsistent(sink);
        assertThat(sink.dialoguesBySplit()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "train", lines(dir.resolve("train.jsonl")), "valid", lines(dir.resolve("valid.jsonl")),
                "test", lines(dir.resolve("test.jsonl"))));
        int withMetadata = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("id2info.json").toFile()).size();
        assertThat(sink.items).filteredOn(Item::getHasMetadata).hasSize(withMetadata)
                .allSatisfy(i -> assertThat(i.getGenres()).isNotEmpty());
        assertThat(sink.items).filteredOn(i -> !i.getHasMetadata()).isNotEmpty()
                .allSatisfy(i -> assertThat(i.getItemId()).startsWith(InspiredReader.TITLE_ONLY_PREFIX));
        // some dialogues shout a title in capitals; it resolves to the same item as the usual spelling
        assertThat(sink.dialogues).flatExtracting(Dialogue::getTurns).extracting(Turn::getText)
                .anyMatch(t -> t.matches(".*[A-Z]{4,} [A-Z]{2,}.*\\(\\d{4}\\).*"));
        assertThat(sink.items).extracting(i -> Titles.key(i.getTitle())).doesNotHaveDuplicates();
    }
}
