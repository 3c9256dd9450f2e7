package org.crsaug.data.dataset;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.crsaug.schema.Dialogue;

/**
 * Splits a submitted body (a file dropped in, {@code crs ingest --file}, {@code POST /api/dialogues})
 * into dialogues, telling the shapes apart by their structure:
 *
 * <ul>
 *   <li>one dialogue: an object in the simple format or a ReDial line, or an INSPIRED line (a list of turns);</li>
 *   <li>a JSON list of such dialogues;</li>
 *   <li>JSON lines: one such dialogue per line (the dataset files are this).</li>
 * </ul>
 *
 * Each record is parsed by {@link DialogueJson}, which shares the readers' per-line parsing, so a
 * record means the same here as in a dataset file. Unlike {@link DialogueJson#parse}, a bad record
 * does not end the parse: every one is returned with its position and reason, so the caller can
 * reject or dead-letter each and the submitter can fix them all in one go.
 */
public final class DialogueBodies {

    /** How the body was read. */
    public enum Shape { ONE, LIST, JSON_LINES }

    /**
     * A record that is not a usable dialogue.
     *
     * @param position 1-based: the line for JSON lines and list elements (where the element starts), 1 for a
     *                 body holding one record
     * @param where    the position in words ("line 3", "element [2] at line 9", "body")
     * @param reason   what is wrong, precise enough to fix the record
     * @param raw      the record as submitted (a list element re-serialised)
     */
    public record BadRecord(long position, String where, String reason, String raw) {
        @Override
        public String toString() {
            return where + ": " + reason;
        }
    }

    /** The dialogues in body order and every bad record; a body is never both empty of both. */
    public record Parsed(Shape shape, List<Dialogue> dialogues, List<BadRecord> bad) {
        public Parsed {
            dialogues = List.copyOf(dialogues);
            bad = List.copyOf(bad);
        }
    }

    private DialogueBodies() {
    }

    /**
     * @param source where the body came from (a file name, "POST /api/dialogues"); recorded in each dialogue
     *               with the record's line when the body holds several, null to record nothing
     */
    public static Parsed parse(String body, String dataset, Function<String, Optional<String>> titleToItemId,
                               String source) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(titleToItemId, "titleToItemId");
        String text = body.startsWith("\uFEFF") ? body.substring(1) : body;
        Records records = new Records(dataset, titleToItemId, source);
        if (text.isBlank()) {
            records.bad(1, "body", "empty; expected one dialogue as JSON, a JSON list of dialogues or JSON lines", "");
            return records.done(Shape.ONE);
        }
        JsonNode whole;
        try {
            whole = JsonFields.parse(text);
        } catch (MalformedRecordException e) {
            if (looksLikeJsonLines(text, 0)) {
                return jsonLines(text, records);
            }
            records.bad(1, "body", "not JSON (" + e.getMessage() + "); expected one dialogue as JSON, a JSON list "
                    + "of dialogues or JSON lines", text);
            return records.done(Shape.ONE);
        }
        if (whole.isArray() && isListOfDialogues(whole)) {
            return list(text, records);
        }
        records.add(1, "body", whole, text, false);
        return records.done(Shape.ONE);
    }

    /**
     * A body as submitted bytes. It must be UTF-8: in JSON lines each line that is not is a bad record of its
     * own and the others are parsed; a single document (one dialogue or a list) with bytes that are not UTF-8
     * is one bad record. Nothing is published with replacement characters in it.
     */
    public static Parsed parse(byte[] body, String dataset, Function<String, Optional<String>> titleToItemId,
                               String source) {
        Objects.requireNonNull(body, "body");
        Optional<String> problem = Utf8Text.problem(body);
        if (problem.isEmpty()) {
            return parse(new String(body, StandardCharsets.UTF_8), dataset, titleToItemId, source);
        }
        // each line on its own: the bad ones are reported and blanked, so line numbers stay those of the body
        List<BadRecord> notUtf8 = new ArrayList<>();
        StringBuilder rest = new StringBuilder();
        int start = 0;
        long lineNumber = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '\n') {
                lineNumber++;
                byte[] line = java.util.Arrays.copyOfRange(body, start, i);
                Optional<String> lineProblem = Utf8Text.problem(line);
                if (lineProblem.isPresent()) {
                    notUtf8.add(new BadRecord(lineNumber, "line " + lineNumber, "not valid UTF-8 ("
                            + lineProblem.get().replaceFirst("^line 1, ", "") + "); save it as UTF-8",
                            Utf8Text.lossy(line)));
                } else {
                    rest.append(new String(line, StandardCharsets.UTF_8));
                }
                rest.append('\n');
                start = i + 1;
            }
        }
        String text = rest.toString();
        // the refused lines count as lines: one good line beside a refused one is still JSON lines
        if (text.isBlank() || !looksLikeJsonLines(text, notUtf8.size())) {
            return new Parsed(Shape.ONE, List.of(), List.of(new BadRecord(1, "body", "not valid UTF-8 ("
                    + problem.get() + "); save it as UTF-8", Utf8Text.lossy(body))));
        }
        Parsed lines = jsonLines(text.startsWith("\uFEFF") ? text.substring(1) : text,
                new Records(dataset, titleToItemId, source));
        List<BadRecord> bad = new ArrayList<>(notUtf8);
        bad.addAll(lines.bad());
        bad.sort(java.util.Comparator.comparingLong(BadRecord::position));
        return new Parsed(Shape.JSON_LINES, lines.dialogues(), bad);
    }

    /**
     * A list is one INSPIRED dialogue when its elements are turns (objects with a role and none of the
     * fields a dialogue has); otherwise each element is a dialogue of its own.
     */
    private static boolean isListOfDialogues(JsonNode list) {
        if (list.isEmpty()) {
            return false;
        }
        boolean turnSeen = false;
        for (JsonNode e : list) {
            if (e.isArray() || e.has("turns") || e.has("messages") || e.has("conversationId") || e.has("dialogueId")) {
                return true;
            }
            turnSeen |= e.has("role");
        }
        return !turnSeen;
    }

    /**
     * Several lines of which at least one is a whole JSON object or list on its own. A broken
     * pretty-printed document rarely has such a line, and is then reported once as not JSON instead
     * of once per line.
     */
    private static boolean looksLikeJsonLines(String text, int otherLines) {
        int nonBlank = otherLines;
        boolean wholeLine = false;
        for (String line : text.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            nonBlank++;
            if (!wholeLine) {
                try {
                    JsonNode node = JsonFields.parse(line);
                    wholeLine = node.isContainerNode();
                } catch (MalformedRecordException e) {
                    // not this line; another may be
                }
            }
        }
        return nonBlank > 1 && wholeLine;
    }

    private static Parsed jsonLines(String text, Records records) {
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            long lineNumber = i + 1;
            try {
                records.add(lineNumber, "line " + lineNumber, JsonFields.parse(line), line, true);
            } catch (MalformedRecordException e) {
                records.bad(lineNumber, "line " + lineNumber, "not JSON (" + e.getMessage() + ")", line);
            }
        }
        return records.done(Shape.JSON_LINES);
    }

    /** Walks the list with a streaming parser so each element's line is known for its report. */
    private static Parsed list(String text, Records records) {
        // the shared mapper refuses trailing tokens, and after one element the rest of the list trails
        ObjectReader elements = JsonFields.MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        try (JsonParser parser = JsonFields.MAPPER.createParser(text)) {
            parser.nextToken();
            int index = 0;
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                long line = parser.currentTokenLocation().getLineNr();
                JsonNode element = elements.readTree(parser);
                records.add(line, "element [" + index + "] at line " + line, element,
                        JsonFields.MAPPER.writeValueAsString(element), true);
                index++;
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the body parsed as a whole but not element by element", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return records.done(Shape.LIST);
    }

    /** Collects the outcome of each record; a dialogue id given twice in one body is a bad record. */
    private static final class Records {
        private final String dataset;
        private final Function<String, Optional<String>> titles;
        private final String source;
        private final List<Dialogue> dialogues = new ArrayList<>();
        private final List<BadRecord> bad = new ArrayList<>();
        private final Map<String, String> firstSeen = new HashMap<>();

        Records(String dataset, Function<String, Optional<String>> titles, String source) {
            this.dataset = dataset;
            this.titles = titles;
            this.source = source;
        }

        void add(long position, String where, JsonNode node, String raw, boolean several) {
            String recordSource = source == null ? null : several ? source + ":" + position : source;
            Dialogue d;
            try {
                d = DialogueJson.parse(node, dataset, titles, recordSource);
            } catch (IllegalArgumentException e) {
                bad(position, where, e.getMessage(), raw);
                return;
            }
            String earlier = firstSeen.putIfAbsent(d.getDialogueId(), where);
            if (earlier != null) {
                // the later one would silently overwrite the earlier on the compacted topic
                bad(position, where, "dialogue " + d.getDialogueId() + " is already given at " + earlier
                        + "; a body may hold each dialogue once", raw);
                return;
            }
            dialogues.add(d);
        }

        void bad(long position, String where, String reason, String raw) {
            bad.add(new BadRecord(position, where, reason, raw));
        }

        Parsed done(Shape shape) {
            return new Parsed(shape, dialogues, bad);
        }
    }
}
