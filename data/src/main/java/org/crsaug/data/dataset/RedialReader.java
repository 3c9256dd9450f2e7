package org.crsaug.data.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.schema.ItemFeedback;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads ReDial: the official item list, optional metadata, and dialogues in the original format.
 *
 * <p>Turns are built from runs of messages by one sender. The original files keep each message
 * separate while the merged-turns copy has already joined them; joining here makes both sources
 * yield the same turn structure, which is what context derivation counts on.
 */
public final class RedialReader {

    public static final String DATASET = "redial";
    static final String CATALOGUE = "movies_with_mentions.csv";
    static final String METADATA = "id2info.json";
    /** The complete official train file; when present it supersedes the partial mirror files. */
    static final String FULL_TRAIN = "train_data.jsonl";
    static final String PARTIAL_TRAIN = "train_data_partial.jsonl";
    static final String MERGED_TRAIN = "train_data_merged_turns.jsonl";
    static final String TEST = "test_data.jsonl";

    private static final Pattern MENTION = Pattern.compile("@(\\d+)");
    private static final Logger LOG = LoggerFactory.getLogger(RedialReader.class);

    private final Path dir;
    private long unresolvedMentions;
    private long mentionsOutsideCatalogue;
    private long feedbackOutsideCatalogue;

    public RedialReader(Path redialDir) {
        this.dir = Objects.requireNonNull(redialDir, "redialDir");
    }

    /** @ids in the last read known neither to the dialogue nor to the catalogue; left in the text as typed. */
    public long unresolvedMentions() {
        return unresolvedMentions;
    }

    /** @ids titled by the dialogue but absent from the catalogue: rendered as titles, not recorded as items. */
    public long mentionsOutsideCatalogue() {
        return mentionsOutsideCatalogue;
    }

    /** Questionnaire answers dropped in the last read because their movie is not in the catalogue. */
    public long feedbackOutsideCatalogue() {
        return feedbackOutsideCatalogue;
    }

    public void read(DatasetSink sink) {
        Objects.requireNonNull(sink, "sink");
        unresolvedMentions = 0;
        mentionsOutsideCatalogue = 0;
        feedbackOutsideCatalogue = 0;
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("ReDial directory " + dir.toAbsolutePath() + " does not exist. "
                    + DataDirectory.HOW_TO_SET);
        }
        Path catalogueFile = dir.resolve(CATALOGUE);
        if (!Files.isRegularFile(catalogueFile)) {
            throw new ConfigException("ReDial catalogue " + catalogueFile.toAbsolutePath() + " is missing; it is part of "
                    + "the official archive. " + DataDirectory.DOWNLOADS);
        }
        Map<String, Metadata> metadata = readMetadata(sink);
        Map<String, String> titles = readCatalogue(catalogueFile, metadata, sink);
        MentionResolver resolver = new CatalogueResolver(titles);

        for (Map.Entry<String, String> source : dialogueFiles().entrySet()) {
            Path file = dir.resolve(source.getKey());
            if (!Files.isRegularFile(file)) {
                LOG.warn("ReDial file {} not found; skipping it", file.toAbsolutePath());
                continue;
            }
            String split = source.getValue();
            Lines.forEach(file, (lineNumber, line) -> {
                if (line.isBlank()) {
                    return;
                }
                try {
                    sink.dialogue(toDialogue(JsonFields.parse(line), DATASET, split,
                            DATASET + "/" + file.getFileName() + ":" + lineNumber, resolver));
                } catch (MalformedRecordException e) {
                    sink.failure(new ParseFailure(file.toString(), lineNumber, e.getMessage(), line));
                }
            }, (lineNumber, why, raw) -> sink.failure(new ParseFailure(file.toString(), lineNumber, why, raw)));
        }
        if (unresolvedMentions + mentionsOutsideCatalogue + feedbackOutsideCatalogue > 0) {
            LOG.warn("ReDial: {} @mentions unknown to dialogue and catalogue (kept as typed), {} mentions outside "
                    + "the catalogue, {} questionnaire answers for movies outside the catalogue", unresolvedMentions,
                    mentionsOutsideCatalogue, feedbackOutsideCatalogue);
        }
    }

    /** File name -> split, in reading order. */
    private Map<String, String> dialogueFiles() {
        Map<String, String> files = new LinkedHashMap<>();
        if (Files.isRegularFile(dir.resolve(FULL_TRAIN))) {
            // the partial and merged files are subsets of the full file; reading them too would duplicate dialogues
            LOG.info("Using the complete {}; ignoring {} and {} if present", FULL_TRAIN, PARTIAL_TRAIN, MERGED_TRAIN);
            files.put(FULL_TRAIN, "train");
        } else {
            files.put(PARTIAL_TRAIN, "train");
            files.put(MERGED_TRAIN, "train");
        }
        files.put(TEST, "test");
        return files;
    }

    /** Descriptive fields of one movie from id2info.json. */
    private record Metadata(String name, String plot, List<String> genres, List<String> directors,
                            List<String> writers, List<String> stars) {
    }

    /** A bad metadata entry is reported against id2info.json and only costs the movie its description. */
    private Map<String, Metadata> readMetadata(DatasetSink sink) {
        Path file = dir.resolve(METADATA);
        Map<String, Metadata> metadata = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            LOG.warn("ReDial metadata {} not found; items will be described by their titles only", file.toAbsolutePath());
            return metadata;
        }
        JsonObjectFile.forEachEntry(file, (movieId, value, lineNumber) -> {
            String id = movieId.strip();
            try {
                JsonFields.requireObject(value, "entry '" + movieId + "'");
                metadata.put(id, new Metadata(
                        JsonFields.optionalText(value, "name", id),
                        JsonFields.optionalText(value, "plot", id),
                        JsonFields.stringList(value, "genre", id),
                        JsonFields.stringList(value, "director", id),
                        JsonFields.stringList(value, "writer", id),
                        JsonFields.stringList(value, "star", id)));
            } catch (MalformedRecordException e) {
                sink.failure(new ParseFailure(file.toString(), lineNumber, e.getMessage(),
                        JsonObjectFile.raw(movieId, value)));
            }
        });
        return metadata;
    }

    /** Emits the catalogue and returns movieId -> display title for rendering mentions. */
    private Map<String, String> readCatalogue(Path file, Map<String, Metadata> metadata, DatasetSink sink) {
        Map<String, String> titles = new LinkedHashMap<>();
        Map<String, Long> firstLine = new HashMap<>();
        CatalogueState state = new CatalogueState();
        Lines.forEach(file, (lineNumber, line) -> {
            if (line.isBlank()) {
                return;
            }
            try {
                List<String> fields = CsvLine.split(line);
                if (state.idColumn < 0) {
                    state.header(fields, file);
                    return;
                }
                int needed = Math.max(state.idColumn, state.nameColumn) + 1;
                if (fields.size() < needed) {
                    throw new MalformedRecordException("expected at least " + needed + " columns, got " + fields.size());
                }
                String movieId = fields.get(state.idColumn).strip();
                if (movieId.isEmpty()) {
                    throw new MalformedRecordException("empty movieId");
                }
                Long seen = firstLine.putIfAbsent(movieId, lineNumber);
                if (seen != null) {
                    throw new MalformedRecordException("duplicate movieId " + movieId + " (first on line " + seen + ")");
                }
                Item item = item(movieId, fields.get(state.nameColumn), metadata.get(movieId));
                titles.put(movieId, item.getTitle());
                sink.item(item);
            } catch (MalformedRecordException e) {
                sink.failure(new ParseFailure(file.toString(), lineNumber, e.getMessage(), line));
            }
        }, (lineNumber, why, raw) -> sink.failure(new ParseFailure(file.toString(), lineNumber, why, raw)));
        if (state.idColumn < 0) {
            throw new IllegalStateException(file + " has no header line; expected movieId,movieName,nbMentions");
        }
        return titles;
    }

    private static final class CatalogueState {
        int idColumn = -1;
        int nameColumn = -1;

        void header(List<String> fields, Path file) {
            for (int i = 0; i < fields.size(); i++) {
                String name = fields.get(i).strip().toLowerCase(Locale.ROOT);
                if (name.equals("movieid")) {
                    idColumn = i;
                } else if (name.equals("moviename")) {
                    nameColumn = i;
                }
            }
            if (idColumn < 0 || nameColumn < 0) {
                throw new IllegalStateException(file + " header must name the columns movieId and movieName, got "
                        + fields);
            }
        }
    }

    private static Item item(String movieId, String csvTitle, Metadata meta) throws MalformedRecordException {
        String title = Titles.clean(csvTitle);
        Item.Builder b = Item.newBuilder()
                .setItemId(DATASET + ":" + movieId)
                .setDataset(DATASET)
                .setHasMetadata(meta != null);
        if (meta != null) {
            // the metadata names are the better spelling: the CSV keeps some titles URL-encoded
            if (meta.name() != null) {
                title = Titles.clean(meta.name());
            }
            b.setPlot(meta.plot()).setGenres(meta.genres()).setDirectors(meta.directors())
                    .setWriters(meta.writers()).setStars(meta.stars());
        }
        if (title.isEmpty()) {
            throw new MalformedRecordException("empty movieName for movieId " + movieId);
        }
        return b.setTitle(title).setYear(Titles.year(title)).build();
    }

    /** How an @movieId is shown and which item it records. */
    record Mention(String title, String itemId) {
    }

    /** Decides what a movie id in a dialogue refers to; the reader and {@link DialogueJson} differ here. */
    interface MentionResolver {
        /** @return null to leave "@id" in the text; a null itemId renders the title without recording an item */
        Mention inText(String movieId, String dialogueTitle);

        /** @return the item a questionnaire answer is about, or null to drop the answer */
        String feedbackItem(String movieId, String dialogueTitle);
    }

    private final class CatalogueResolver implements MentionResolver {
        private final Map<String, String> titles;

        CatalogueResolver(Map<String, String> titles) {
            this.titles = titles;
        }

        @Override
        public Mention inText(String movieId, String dialogueTitle) {
            boolean inCatalogue = titles.containsKey(movieId);
            String title = dialogueTitle != null ? Titles.clean(dialogueTitle) : titles.get(movieId);
            if (title == null || title.isEmpty()) {
                unresolvedMentions++;
                return null;
            }
            if (!inCatalogue) {
                mentionsOutsideCatalogue++;
            }
            return new Mention(title, inCatalogue ? DATASET + ":" + movieId : null);
        }

        @Override
        public String feedbackItem(String movieId, String dialogueTitle) {
            if (titles.containsKey(movieId)) {
                return DATASET + ":" + movieId;
            }
            feedbackOutsideCatalogue++;
            return null;
        }
    }

    /** Converts one dialogue in the original ReDial format; shared with {@link DialogueJson}. */
    static Dialogue toDialogue(JsonNode node, String dataset, String split, String source, MentionResolver resolver)
            throws MalformedRecordException {
        JsonFields.requireObject(node, "a ReDial dialogue");
        String conversationId = JsonFields.requiredId(node, "conversationId", "");
        String seeker = JsonFields.requiredId(node, "initiatorWorkerId", "");
        Map<String, String> dialogueTitles = movieMentions(node);
        JsonNode messages = JsonFields.requiredArray(node, "messages", "");
        if (messages.isEmpty()) {
            throw new MalformedRecordException("field 'messages' is empty");
        }

        List<Turn> turns = new ArrayList<>();
        String currentSender = null;
        StringBuilder text = new StringBuilder();
        Set<String> mentioned = new LinkedHashSet<>();
        for (int i = 0; i < messages.size(); i++) {
            String at = "messages[" + i + "]";
            JsonNode message = messages.get(i);
            JsonFields.requireObject(message, at);
            String sender = JsonFields.requiredId(message, "senderWorkerId", at);
            String raw = JsonFields.requiredText(message, "text", at);
            if (raw.isBlank()) {
                continue;
            }
            if (!sender.equals(currentSender)) {
                addTurn(turns, currentSender, seeker, text, mentioned);
                currentSender = sender;
            }
            if (!text.isEmpty()) {
                text.append(' ');
            }
            text.append(renderMentions(raw.strip(), dialogueTitles, resolver, mentioned));
        }
        addTurn(turns, currentSender, seeker, text, mentioned);
        if (turns.isEmpty()) {
            throw new MalformedRecordException("every message in 'messages' has empty text");
        }

        List<ItemFeedback> feedback = new ArrayList<>();
        questionnaire(node, "initiatorQuestions", "seeker", dialogueTitles, resolver, feedback);
        questionnaire(node, "respondentQuestions", "recommender", dialogueTitles, resolver, feedback);
        return Dialogue.newBuilder()
                .setDialogueId(dataset + ":" + conversationId)
                .setDataset(dataset)
                .setSplit(split)
                .setTurns(turns)
                .setFeedback(feedback)
                .setSource(source)
                .build();
    }

    private static void addTurn(List<Turn> turns, String sender, String seeker, StringBuilder text,
                                Set<String> mentioned) {
        if (sender == null) {
            return;
        }
        turns.add(Turn.newBuilder()
                .setRole(sender.equals(seeker) ? Role.SEEKER : Role.RECOMMENDER)
                .setText(text.toString())
                .setMentionedItemIds(new ArrayList<>(mentioned))
                .build());
        text.setLength(0);
        mentioned.clear();
    }

    private static String renderMentions(String raw, Map<String, String> dialogueTitles, MentionResolver resolver,
                                         Set<String> mentioned) {
        Matcher m = MENTION.matcher(raw);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String movieId = m.group(1);
            Mention mention = resolver.inText(movieId, dialogueTitles.get(movieId));
            String replacement = mention == null ? m.group() : mention.title();
            if (mention != null && mention.itemId() != null) {
                mentioned.add(mention.itemId());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** movieId -> title as the dialogue spelled it; null titles (seen in the data) are left out. */
    private static Map<String, String> movieMentions(JsonNode node) throws MalformedRecordException {
        Map<String, String> titles = new HashMap<>();
        JsonNode mm = node.get("movieMentions");
        if (mm == null || mm.isNull() || (mm.isArray() && mm.isEmpty())) {
            return titles;
        }
        if (!mm.isObject()) {
            throw new MalformedRecordException("field 'movieMentions' must be an object of movieId -> title, got "
                    + JsonFields.describe(mm));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = mm.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isTextual() && !e.getValue().asText().isBlank()) {
                titles.put(e.getKey().strip(), e.getValue().asText());
            } else if (!e.getValue().isNull()) {
                throw new MalformedRecordException("field 'movieMentions." + e.getKey() + "' must be a title, got "
                        + JsonFields.describe(e.getValue()));
            }
        }
        return titles;
    }

    private static void questionnaire(JsonNode node, String field, String respondent, Map<String, String> titles,
                                      MentionResolver resolver, List<ItemFeedback> out) throws MalformedRecordException {
        JsonNode q = node.get(field);
        // the original files write an unanswered questionnaire as [] instead of {}
        if (q == null || q.isNull() || (q.isArray() && q.isEmpty())) {
            return;
        }
        if (!q.isObject()) {
            throw new MalformedRecordException("field '" + field + "' must be an object of movieId -> answers, got "
                    + JsonFields.describe(q));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = q.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String movieId = e.getKey().strip();
            String at = field + "." + movieId;
            JsonFields.requireObject(e.getValue(), "field '" + at + "'");
            Boolean suggested = answer(e.getValue(), "suggested", at);
            Boolean seen = answer(e.getValue(), "seen", at);
            Boolean liked = answer(e.getValue(), "liked", at);
            String itemId = resolver.feedbackItem(movieId, titles.get(movieId));
            if (itemId != null) {
                out.add(ItemFeedback.newBuilder().setItemId(itemId).setRespondent(respondent)
                        .setSuggested(suggested).setSeen(seen).setLiked(liked).build());
            }
        }
    }

    /** 0 = no, 1 = yes, 2 = did not say; an absent answer also means did not say. */
    private static Boolean answer(JsonNode answers, String field, String parent) throws MalformedRecordException {
        JsonNode v = answers.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            switch (v.asInt()) {
                case 0:
                    return Boolean.FALSE;
                case 1:
                    return Boolean.TRUE;
                case 2:
                    return null;
                default:
                    break;
            }
        }
        throw new MalformedRecordException("field '" + parent + "." + field + "' must be 0, 1 or 2, got " + v);
    }
}
