package org.crsaug.data.context;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.schema.Item;

/**
 * The one definition of the text a context is encoded from.
 *
 * <p>It is the dialogue so far as {@link DialogueContexts#render} gives it (recent turns, roles kept,
 * oldest turns dropped first to fit {@code maxChars}); with enrichment, a short note about each film
 * already mentioned (its genres and the first sentence of its plot) is put in front. A small encoder
 * does not know what a title means; the note tells it, which measurably improved held-out hit rate
 * on ReDial. The note goes first because encoders cut long inputs at the end, and the dialogue part is
 * already cut to size.
 */
public final class RetrievalText {

    /** Notes for at most this many mentioned items, most recent first, so the dialogue keeps its room. */
    static final int MAX_NOTES = 4;
    private static final int MAX_NOTE_CHARS = 160;

    private RetrievalText() {
    }

    /** The plain dialogue text: what judges see and what candidate records carry. */
    public static String dialogue(DialogueContext c, int maxChars) {
        return DialogueContexts.render(c.history(), maxChars);
    }

    /**
     * What the encoder sees for this context.
     *
     * @param dialogueMaxChars the most dialogue text, as the judge gets it
     * @param totalMaxChars    bound on the whole text, notes included (0 = none): the notes may take half of it,
     *                         older films' notes dropped first, and the dialogue the rest. Without it a long
     *                         context with notes in front reaches the encoder's token limit, which cuts the newest
     *                         turns, and every token costs encoder time
     */
    public static String forEncoder(DialogueContext c, int dialogueMaxChars, int totalMaxChars, boolean enrich,
            Map<String, Item> items) {
        int dialogueRoom = totalMaxChars > 0 ? Math.min(dialogueMaxChars, totalMaxChars) : dialogueMaxChars;
        if (!enrich) {
            return dialogue(c, dialogueRoom);
        }
        List<String> mentioned = c.mentionedInOrder();
        List<String> notes = new ArrayList<>();
        for (int i = mentioned.size() - 1; i >= 0 && notes.size() < MAX_NOTES; i--) {
            Item item = items.get(mentioned.get(i));
            String note = item == null ? null : note(item);
            if (note != null) {
                notes.add(note);
            }
        }
        String prefix = prefix(notes);
        while (totalMaxChars > 0 && !notes.isEmpty() && prefix.length() > totalMaxChars / 2) {
            notes.remove(notes.size() - 1);
            prefix = prefix(notes);
        }
        if (totalMaxChars > 0) {
            dialogueRoom = Math.min(dialogueRoom, totalMaxChars - prefix.length());
        }
        return prefix + dialogue(c, dialogueRoom);
    }

    /** "Films mentioned: note note\n", or "" without notes. */
    private static String prefix(List<String> notes) {
        return notes.isEmpty() ? "" : "Films mentioned: " + String.join(" ", notes) + "\n";
    }

    /** "Title (Genre, Genre): first plot sentence." or null when the item has no metadata. */
    static String note(Item item) {
        if (item.getGenres().isEmpty() && (item.getPlot() == null || item.getPlot().isBlank())) {
            return null;
        }
        StringBuilder sb = new StringBuilder(item.getTitle().strip());
        if (!item.getGenres().isEmpty()) {
            sb.append(" (").append(String.join(", ", item.getGenres())).append(')');
        }
        String plot = firstSentence(item.getPlot());
        if (!plot.isEmpty()) {
            sb.append(": ").append(plot);
        }
        String s = sb.toString();
        if (s.length() > MAX_NOTE_CHARS) {
            s = s.substring(0, MAX_NOTE_CHARS);
        }
        return s.endsWith(".") ? s : s + ".";
    }

    /** The first sentence of a plot (at least 20 characters), or the whole plot; "" for none. */
    public static String firstSentence(String plot) {
        if (plot == null) {
            return "";
        }
        String p = plot.strip();
        for (int i = 0; i < p.length() - 1; i++) {
            char ch = p.charAt(i);
            if ((ch == '.' || ch == '!' || ch == '?') && Character.isWhitespace(p.charAt(i + 1)) && i > 20) {
                return p.substring(0, i + 1);
            }
        }
        return p;
    }
}
