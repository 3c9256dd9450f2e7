package org.crsaug.data.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads INSPIRED in the processed one-dialogue-per-line format (UniCRS/CFCRS layout).
 *
 * <p>Only about 60% of the titles named in dialogues have metadata in {@code id2info.json}. The rest
 * still become items, described by their title alone, because dropping them would silently remove
 * gold labels from evaluation. Such items are keyed by their normalised title, so every spelling that
 * differs only in case or spacing lands on the same item.
 */
public final class InspiredReader {

    public static final String DATASET = "inspired";
    public static final List<String> SPLITS = List.of("train", "valid", "test");
    static final String CATALOGUE = "id2info.json";
    static final String ENTITY_IDS = "entity2id.json";
    static final String TITLE_ONLY_PREFIX = DATASET + ":t:";

    private static final Logger LOG = LoggerFactory.getLogger(InspiredReader.class);

    private final Path dir;
    private long blankTitles;

    public InspiredReader(Path inspiredDir) {
        this.dir = Objects.requireNonNull(inspiredDir, "inspiredDir");
    }

    /** Mentions whose title was an empty string in the last read; they name nothing and are dropped. */
    public long blankTitles() {
        return blankTitles;
    }

    public void read(DatasetSink sink) {
        Objects.requireNonNull(sink, "sink");
        blankTitles = 0;
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("INSPIRED directory " + dir.toAbsolutePath() + " does not exist. "
                    + DataDirectory.HOW_TO_SET);
        }
        Path catalogueFile = dir.resolve(CATALOGUE);
        if (!Files.isRegularFile(catalogueFile)) {
            throw new ConfigException("INSPIRED catalogue " + catalogueFile.toAbsolutePath() + " is missing; "
                    + "without it no INSPIRED movie has metadata. " + DataDirectory.DOWNLOADS);
        }

        Map<String, Item> catalogue = readCatalogue(catalogueFile, sink);
        Map<String, String> itemIdByTitleKey = new LinkedHashMap<>();
        catalogue.values().forEach(item -> itemIdByTitleKey.putIfAbsent(Titles.key(item.getTitle()), item.getItemId()));
        readEntityIds(catalogue, itemIdByTitleKey, sink);

        // Items must all precede dialogues, and title-only items are only known after the dialogues
        // are read, so dialogues wait here; INSPIRED is small enough (about 5 MB) for that.
        List<Runnable> pending = new ArrayList<>();
        Map<String, Item> titleOnly = new LinkedHashMap<>();
        for (String split : SPLITS) {
            Path file = dir.resolve(split + ".jsonl");
            if (!Files.isRegularFile(file)) {
                LOG.warn("INSPIRED {} split not found at {}; skipping it", split, file.toAbsolutePath());
                continue;
            }
            Lines.forEach(file, (lineNumber, line) -> {
                if (line.isBlank()) {
                    return;
                }
                List<RawTurn> turns;
                try {
                    turns = parseTurns(JsonFields.parse(line));
                } catch (MalformedRecordException e) {
                    ParseFailure failure = new ParseFailure(file.toString(), lineNumber, e.getMessage(), line);
                    pending.add(() -> sink.failure(failure));
                    return;
                }
                for (RawTurn t : turns) {
                    blankTitles += t.blankTitles();
                    for (String title : t.titles()) {
                        String key = Titles.key(title);
                        if (!itemIdByTitleKey.containsKey(key)) {
                            Item item = titleOnlyItem(title);
                            titleOnly.put(key, item);
                            itemIdByTitleKey.put(key, item.getItemId());
                        }
                    }
                }
                Dialogue d = toDialogue(DATASET + ":" + split + ":" + lineNumber, split,
                        DATASET + "/" + file.getFileName() + ":" + lineNumber, turns, itemIdByTitleKey);
                pending.add(() -> sink.dialogue(d));
            }, (lineNumber, why, raw) -> {
                ParseFailure failure = new ParseFailure(file.toString(), lineNumber, why, raw);
                pending.add(() -> sink.failure(failure));
            });
        }

        catalogue.values().forEach(sink::item);
        titleOnly.values().forEach(sink::item);
        pending.forEach(Runnable::run);
        LOG.info("INSPIRED: {} items with metadata, {} title-only items, {} records from dialogue files, "
                + "{} blank titles ignored", catalogue.size(), titleOnly.size(), pending.size(), blankTitles);
    }

    private Map<String, Item> readCatalogue(Path file, DatasetSink sink) {
        Map<String, Item> items = new LinkedHashMap<>();
        JsonObjectFile.forEachEntry(file, (entityId, value, lineNumber) -> {
            try {
                JsonFields.requireObject(value, "entry '" + entityId + "'");
                String title = Titles.clean(JsonFields.requiredText(value, "name", entityId));
                if (title.isEmpty()) {
                    throw new MalformedRecordException("field '" + entityId + ".name' is empty");
                }
                items.put(entityId.strip(), Item.newBuilder()
                        .setItemId(DATASET + ":" + entityId.strip())
                        .setDataset(DATASET)
                        .setTitle(title)
                        .setYear(Titles.year(title))
                        .setPlot(JsonFields.optionalText(value, "plot", entityId))
                        .setGenres(JsonFields.stringList(value, "genre", entityId))
                        .setDirectors(JsonFields.stringList(value, "director", entityId))
                        .setWriters(JsonFields.stringList(value, "writer", entityId))
                        .setStars(JsonFields.stringList(value, "star", entityId))
                        .setHasMetadata(true)
                        .build());
            } catch (MalformedRecordException e) {
                sink.failure(new ParseFailure(file.toString(), lineNumber, e.getMessage(),
                        JsonObjectFile.raw(entityId, value)));
            }
        });
        return items;
    }

    /** entity2id also lists people and genres; only ids present in the catalogue count as movies. */
    private void readEntityIds(Map<String, Item> catalogue, Map<String, String> itemIdByTitleKey, DatasetSink sink) {
        Path file = dir.resolve(ENTITY_IDS);
        if (!Files.isRegularFile(file)) {
            LOG.warn("{} not found; resolving dialogue titles by catalogue names only", file.toAbsolutePath());
            return;
        }
        JsonObjectFile.forEachEntry(file, (title, value, lineNumber) -> {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                sink.failure(new ParseFailure(file.toString(), lineNumber,
                        "entity id of '" + title + "' must be an integer, got " + JsonFields.describe(value),
                        JsonObjectFile.raw(title, value)));
                return;
            }
            Item item = catalogue.get(value.asText().strip());
            String key = Titles.key(title);
            if (item != null && !key.isEmpty()) {
                itemIdByTitleKey.putIfAbsent(key, item.getItemId());
            }
        });
    }

    private static Item titleOnlyItem(String rawTitle) {
        String title = Titles.clean(rawTitle);
        return Item.newBuilder()
                .setItemId(TITLE_ONLY_PREFIX + Titles.key(rawTitle))
                .setDataset(DATASET)
                .setTitle(title)
                .setYear(Titles.year(title))
                .setHasMetadata(false)
                .build();
    }

    static Dialogue toDialogue(String dialogueId, String split, String source, List<RawTurn> raw,
                               Map<String, String> itemIdByTitleKey) {
        List<Turn> turns = new ArrayList<>(raw.size());
        for (RawTurn t : raw) {
            Set<String> ids = new LinkedHashSet<>();
            for (String title : t.titles()) {
                ids.add(itemIdByTitleKey.get(Titles.key(title)));
            }
            turns.add(Turn.newBuilder().setRole(t.role()).setText(t.text())
                    .setMentionedItemIds(new ArrayList<>(ids)).build());
        }
        return Dialogue.newBuilder()
                .setDialogueId(dialogueId)
                .setDataset(DATASET)
                .setSplit(split)
                .setTurns(turns)
                .setFeedback(List.of())
                .setSource(source)
                .build();
    }

    /** One turn as written in the file; titles still unresolved, blanks removed. */
    record RawTurn(Role role, String text, List<String> titles, int blankTitles) {
    }

    /** The structural check of one INSPIRED line, shared with {@link DialogueJson}. */
    static List<RawTurn> parseTurns(JsonNode node) throws MalformedRecordException {
        if (!node.isArray()) {
            throw new MalformedRecordException("expected a list of turns, got " + JsonFields.describe(node));
        }
        if (node.isEmpty()) {
            throw new MalformedRecordException("dialogue has no turns");
        }
        List<RawTurn> turns = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String at = "[" + i + "]";
            JsonNode turn = node.get(i);
            JsonFields.requireObject(turn, "turn " + at);
            Role role = parseRole(JsonFields.requiredText(turn, "role", at), JsonFields.path(at, "role"));
            String text = JsonFields.requiredText(turn, "text", at);
            JsonNode movies = JsonFields.requiredArray(turn, "movie", at);
            List<String> titles = new ArrayList<>();
            int blanks = 0;
            for (int j = 0; j < movies.size(); j++) {
                JsonNode m = movies.get(j);
                if (!m.isTextual()) {
                    throw new MalformedRecordException("field '" + at + ".movie[" + j + "]' must be a string, got "
                            + JsonFields.describe(m));
                }
                if (m.asText().isBlank()) {
                    blanks++;
                    continue;
                }
                titles.add(m.asText());
            }
            turns.add(new RawTurn(role, text, titles, blanks));
        }
        return turns;
    }

    static Role parseRole(String value, String path) throws MalformedRecordException {
        return switch (value.strip().toUpperCase(Locale.ROOT)) {
            case "SEEKER" -> Role.SEEKER;
            case "RECOMMENDER" -> Role.RECOMMENDER;
            default -> throw new MalformedRecordException("field '" + path + "' must be SEEKER or RECOMMENDER, got '"
                    + value + "'");
        };
    }
}
