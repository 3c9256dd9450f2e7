package org.crsaug.data.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;

/**
 * Parses one new dialogue submitted as JSON, so that dialogues can arrive after the initial ingest.
 *
 * <p>Three shapes are accepted and told apart by their structure: the project's own format
 * <pre>{"dialogueId": "...", "dataset": "inspired", "split": "train",
 *  "turns": [{"role": "SEEKER", "text": "...", "items": ["Knives Out (2019)", "inspired:123"]}]}</pre>
 * a single line of an original ReDial file (an object with {@code messages}), and a single line of an
 * INSPIRED file (a list of turns).
 *
 * <p>Unlike the bulk readers, which keep going past anything they cannot resolve, a submitted
 * dialogue that names an unknown item is rejected: the submitter is there to correct it, and a
 * silently dropped mention would remove a gold label.
 */
public final class DialogueJson {

    public enum Format { SIMPLE, REDIAL, INSPIRED }

    /** Split given to dialogues whose format has no split field. */
    public static final String DEFAULT_SPLIT = "train";
    static final List<String> SPLITS = List.of("train", "valid", "test");

    private DialogueJson() {
    }

    public static Dialogue parse(String json, String dataset, Function<String, Optional<String>> titleToItemId) {
        return parse(json, dataset, titleToItemId, null);
    }

    public static Dialogue parse(Path file, String dataset, Function<String, Optional<String>> titleToItemId) {
        return parse(Lines.readAll(file), dataset, titleToItemId, file.toString());
    }

    /** Reads the stream to its end (e.g. standard input); the stream is not closed. */
    public static Dialogue parse(InputStream in, String dataset, Function<String, Optional<String>> titleToItemId) {
        try {
            return parse(Utf8Text.decode(in.readAllBytes(), "standard input"), dataset, titleToItemId, null);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the dialogue: " + e.getMessage(), e);
        }
    }

    public static Format detect(String json) {
        return detect(parseJson(json));
    }

    static Dialogue parse(String json, String dataset, Function<String, Optional<String>> titleToItemId,
                          String source) {
        Objects.requireNonNull(json, "json");
        return parse(parseJson(json), dataset, titleToItemId, source);
    }

    /** One already-parsed record; {@link DialogueBodies} splits a body into these. */
    static Dialogue parse(JsonNode node, String dataset, Function<String, Optional<String>> titleToItemId,
                          String source) {
        Objects.requireNonNull(titleToItemId, "titleToItemId");
        if (dataset == null || dataset.isBlank()) {
            throw new IllegalArgumentException("dataset must be given");
        }
        String ds = dataset.strip().toLowerCase(Locale.ROOT);
        Format format = detect(node);
        try {
            return switch (format) {
                case SIMPLE -> simple(node, ds, titleToItemId, source);
                case REDIAL -> redial(node, ds, titleToItemId, source);
                case INSPIRED -> inspired(node, ds, titleToItemId, source);
            };
        } catch (MalformedRecordException e) {
            throw new IllegalArgumentException("Invalid dialogue (" + describe(format) + "): " + e.getMessage());
        }
    }

    private static JsonNode parseJson(String json) {
        try {
            return JsonFields.parse(json);
        } catch (MalformedRecordException e) {
            throw new IllegalArgumentException("Invalid dialogue: " + e.getMessage());
        }
    }

    private static Format detect(JsonNode node) {
        if (node.isArray()) {
            return Format.INSPIRED;
        }
        if (node.isObject()) {
            return node.has("messages") || node.has("conversationId") ? Format.REDIAL : Format.SIMPLE;
        }
        throw new IllegalArgumentException("Invalid dialogue: expected an object with 'turns' (simple format), "
                + "an object with 'messages' (ReDial) or a list of turns (INSPIRED), got " + JsonFields.describe(node));
    }

    private static String describe(Format format) {
        return switch (format) {
            case SIMPLE -> "simple format";
            case REDIAL -> "ReDial format";
            case INSPIRED -> "INSPIRED format";
        };
    }

    private static Dialogue simple(JsonNode node, String dataset, Function<String, Optional<String>> lookup,
                                   String source) throws MalformedRecordException {
        String id = JsonFields.requiredId(node, "dialogueId", "");
        JsonNode declared = node.get("dataset");
        if (declared != null && !declared.isNull()
                && !declared.asText().strip().equalsIgnoreCase(dataset)) {
            throw new MalformedRecordException("field 'dataset' is '" + declared.asText() + "' but the dialogue is "
                    + "being read for '" + dataset + "'");
        }
        String split = DEFAULT_SPLIT;
        if (node.hasNonNull("split")) {
            split = JsonFields.requiredText(node, "split", "").strip().toLowerCase(Locale.ROOT);
            if (!SPLITS.contains(split)) {
                throw new MalformedRecordException("field 'split' must be one of " + SPLITS + ", got '"
                        + node.get("split").asText() + "'");
            }
        }
        JsonNode turnsNode = JsonFields.requiredArray(node, "turns", "");
        if (turnsNode.isEmpty()) {
            throw new MalformedRecordException("field 'turns' is empty; a dialogue needs at least one turn");
        }
        List<String> unknown = new ArrayList<>();
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < turnsNode.size(); i++) {
            String at = "turns[" + i + "]";
            JsonNode turn = turnsNode.get(i);
            JsonFields.requireObject(turn, at);
            Role role = InspiredReader.parseRole(JsonFields.requiredText(turn, "role", at), at + ".role");
            String text = JsonFields.requiredText(turn, "text", at);
            Set<String> ids = new LinkedHashSet<>();
            JsonNode items = turn.get("items");
            if (items != null && !items.isNull()) {
                if (!items.isArray()) {
                    throw new MalformedRecordException("field '" + at + ".items' must be a list, got "
                            + JsonFields.describe(items));
                }
                for (int j = 0; j < items.size(); j++) {
                    JsonNode item = items.get(j);
                    if (!item.isTextual()) {
                        throw new MalformedRecordException("field '" + at + ".items[" + j + "]' must be a string, got "
                                + JsonFields.describe(item));
                    }
                    resolve(item.asText(), lookup, at + ".items[" + j + "]", unknown).ifPresent(ids::add);
                }
            }
            turns.add(turn(role, text, ids));
        }
        rejectUnknown(unknown, dataset);
        for (String other : Datasets.NAMES) {
            if (!other.equals(dataset) && id.startsWith(other + ":")) {
                // prefixing it would file another dataset's dialogue under this one without a word
                throw new MalformedRecordException("dialogue id '" + id + "' belongs to " + other + ", not " + dataset
                        + "; drop the '" + other + ":' prefix or ingest it with --dataset " + other);
            }
        }
        String dialogueId = id.startsWith(dataset + ":") ? id : dataset + ":" + id;
        return dialogue(dialogueId, dataset, split, turns, List.of(), source);
    }

    private static Dialogue inspired(JsonNode node, String dataset, Function<String, Optional<String>> lookup,
                                     String source) throws MalformedRecordException {
        List<InspiredReader.RawTurn> raw = InspiredReader.parseTurns(node);
        List<String> unknown = new ArrayList<>();
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            Set<String> ids = new LinkedHashSet<>();
            List<String> titles = raw.get(i).titles();
            for (int j = 0; j < titles.size(); j++) {
                resolve(titles.get(j), lookup, "[" + i + "].movie", unknown).ifPresent(ids::add);
            }
            turns.add(turn(raw.get(i).role(), raw.get(i).text(), ids));
        }
        rejectUnknown(unknown, dataset);
        // the format carries no id; hashing the content makes a resubmission overwrite, not duplicate
        return dialogue(dataset + ":new:" + contentHash(node), dataset, DEFAULT_SPLIT, turns, List.of(), source);
    }

    private static Dialogue redial(JsonNode node, String dataset, Function<String, Optional<String>> lookup,
                                   String source) throws MalformedRecordException {
        List<String> unknown = new ArrayList<>();
        RedialReader.MentionResolver resolver = new RedialReader.MentionResolver() {
            @Override
            public RedialReader.Mention inText(String movieId, String dialogueTitle) {
                if (dialogueTitle == null) {
                    unknown.add("@" + movieId + " (no title in movieMentions)");
                    return null;
                }
                String itemId = find(movieId, dialogueTitle);
                return itemId == null ? null : new RedialReader.Mention(Titles.clean(dialogueTitle), itemId);
            }

            @Override
            public String feedbackItem(String movieId, String dialogueTitle) {
                return find(movieId, dialogueTitle);
            }

            private String find(String movieId, String title) {
                Optional<String> id = lookup.apply(dataset + ":" + movieId);
                if (id.isEmpty() && title != null) {
                    id = lookup.apply(Titles.clean(title));
                }
                if (id.isEmpty()) {
                    String name = "@" + movieId + (title == null ? "" : " '" + title + "'");
                    if (!unknown.contains(name)) {
                        unknown.add(name);
                    }
                    return null;
                }
                return id.get();
            }
        };
        Dialogue d = RedialReader.toDialogue(node, dataset, DEFAULT_SPLIT, source, resolver);
        rejectUnknown(unknown, dataset);
        return d;
    }

    private static Optional<String> resolve(String titleOrId, Function<String, Optional<String>> lookup, String at,
                                            List<String> unknown) {
        Optional<String> id = titleOrId.isBlank() ? Optional.empty() : lookup.apply(titleOrId.strip());
        if (id.isEmpty()) {
            unknown.add("'" + titleOrId + "' (" + at + ")");
        }
        return id;
    }

    private static void rejectUnknown(List<String> unknown, String dataset) {
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown items, not in the " + dataset + " catalogue (check the "
                    + "spelling or the year, or use an item id): " + String.join(", ", unknown));
        }
    }

    private static Turn turn(Role role, String text, Set<String> ids) {
        return Turn.newBuilder().setRole(role).setText(text).setMentionedItemIds(new ArrayList<>(ids)).build();
    }

    private static Dialogue dialogue(String id, String dataset, String split, List<Turn> turns,
                                     List<org.crsaug.schema.ItemFeedback> feedback, String source) {
        return Dialogue.newBuilder().setDialogueId(id).setDataset(dataset).setSplit(split).setTurns(turns)
                .setFeedback(feedback).setSource(source).build();
    }

    private static String contentHash(JsonNode node) {
        try {
            byte[] canonical = JsonFields.MAPPER.writeValueAsBytes(node);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
