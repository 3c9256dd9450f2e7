package org.crsaug.model.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.context.EncoderText;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default encoder text must leave the seeker's newest words inside the default encoder's token window: the
 * encoder cuts the end of a longer input, and that end is the turn a recommender most needs (and the only new
 * thing a simulated seeker says at each turn). Checked with MiniLM's own tokenizer on a long, film-heavy dialogue
 * of ordinary English, where the text without a bound (notes on top of 1,200 characters of dialogue) is cut.
 */
class DefaultEncoderTextTest {

    private static final String NEWEST = "Something slow and atmospheric, maybe a ghost story set in an old house.";

    @TempDir
    static Path cache;

    @Test
    void theSeekersNewestTurnIsInsideTheEncodersTokenWindowByDefault() throws Exception {
        Map<String, Item> items = new HashMap<>();
        List<Turn> turns = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            items.put("m:" + i, Item.newBuilder().setItemId("m:" + i).setDataset("m").setTitle("The Quiet Harbour " + i)
                    .setGenres(List.of("Drama", "Mystery", "Thriller")).setPlot("A retired lighthouse keeper returns to"
                            + " the island where his brother disappeared thirty years ago and finds the villagers still"
                            + " keeping secrets. Later plot.").setHasMetadata(true).build());
            turns.add(turn(Role.SEEKER, "I watched that one last winter with my sister and we both thought the middle"
                    + " part dragged, although the ending surprised us more than we expected it to."));
            turns.add(Turn.newBuilder().setRole(Role.RECOMMENDER).setText("Then have you seen The Quiet Harbour " + i
                    + "? Critics loved the photography.").setMentionedItemIds(List.of("m:" + i)).build());
        }
        turns.add(turn(Role.SEEKER, NEWEST));
        turns.add(Turn.newBuilder().setRole(Role.RECOMMENDER).setText("Try this one.").setMentionedItemIds(List.of("m:7"))
                .build());
        Dialogue d = Dialogue.newBuilder().setDialogueId("d:1").setDataset("m").setSplit("test").setTurns(turns).build();
        List<DialogueContext> contexts = DialogueContexts.derive(d);
        DialogueContext last = contexts.get(contexts.size() - 1);

        OnnxModelSpec spec = OnnxModelSpec.ALL_MINILM_L6_V2;
        CrsConfig defaults = CrsConfig.defaults();
        assertThat(defaults.get(TextEncoders.ENCODER_KEY)).isEqualTo(spec.name());
        BundledModelFiles files = BundledModelFiles.extract(spec, cache);
        // the tokenizer as the encoder's translator sets it up; the turn alone without [CLS] and [SEP]
        try (HuggingFaceTokenizer window = HuggingFaceTokenizer.builder().optTokenizerPath(files.tokenizer())
                .optMaxLength(spec.maxTokens()).optTruncation(true).optPadding(false).optAddSpecialTokens(true)
                .build();
                HuggingFaceTokenizer plain = HuggingFaceTokenizer.builder().optTokenizerPath(files.tokenizer())
                        .optPadding(false).optAddSpecialTokens(false).build()) {
            long[] newest = plain.encode(NEWEST).getIds();

            String byDefault = EncoderText.fromConfig(defaults).of(last, items);
            assertThat(byDefault).endsWith(NEWEST);
            assertThat(endsWith(window.encode(byDefault).getIds(), newest)).as("read by default").isTrue();

            // without the bound the notes and 1,200 characters of dialogue pass the window and the newest turn is cut
            String unbounded = EncoderText.fromConfig(defaults.with(EncoderText.TOTAL_MAX_CHARS_KEY, "0"))
                    .of(last, items);
            assertThat(unbounded).endsWith(NEWEST);
            assertThat(endsWith(window.encode(unbounded).getIds(), newest)).as("read without a bound").isFalse();
        }
    }

    private static Turn turn(Role role, String text) {
        return Turn.newBuilder().setRole(role).setText(text).setMentionedItemIds(List.of()).build();
    }

    /** Whether the window-cut ids end with the turn's ids, just before the closing [SEP]. */
    private static boolean endsWith(long[] ids, long[] tail) {
        int end = ids.length - 1;
        return end >= tail.length && Arrays.equals(Arrays.copyOfRange(ids, end - tail.length, end), tail);
    }
}
