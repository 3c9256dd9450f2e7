package org.crsaug.platform.registry;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the registry knows (subjects, their versions, global ids, the compatibility level) and the
 * operations of Confluent's protocol on it, independent of HTTP. It is a cache of the
 * {@link SchemaStore}: a miss re-reads the topic first, since another registry on the same cluster may
 * have written since. Every method holds this object's lock, which also serialises the store.
 */
final class RegistryState {

    private static final Logger log = LoggerFactory.getLogger(RegistryState.class);

    private final SchemaStore store;
    private final Map<String, TreeMap<Integer, SchemaVersion>> subjects = new TreeMap<>();
    private final Map<Integer, String> schemaById = new HashMap<>();
    private final Map<String, Integer> idBySchema = new HashMap<>();
    private int maxId;
    private String compatibility = Compatibility.DEFAULT_LEVEL;
    private boolean loaded;

    private final SchemaStore.Listener replay = new SchemaStore.Listener() {
        @Override
        public void schema(SchemaVersion version) {
            remember(version);
        }

        @Override
        public void schemaDeleted(String subject, int version) {
            TreeMap<Integer, SchemaVersion> versions = subjects.get(subject);
            if (versions != null) {
                versions.remove(version);
            }
        }

        @Override
        public void compatibility(String level) {
            compatibility = level;
        }
    };

    RegistryState(SchemaStore store) {
        this.store = store;
    }

    /** Opens the store and reads the whole topic; until then every operation answers "loading". */
    synchronized void load() {
        store.open();
        store.catchUp(replay);
        loaded = true;
    }

    /** Closes the store; later requests answer "loading" rather than touch closed clients. */
    synchronized void close() {
        loaded = false;
        store.close();
    }

    /** Registers {@code schema} under {@code subject} unless it is there already; returns its global id. */
    synchronized int register(String subject, Schema schema) {
        requireLoaded();
        String text = schema.toString();
        store.catchUp(replay);
        TreeMap<Integer, SchemaVersion> versions = subjects.getOrDefault(subject, new TreeMap<>());
        for (SchemaVersion v : versions.values()) {
            if (v.schema().equals(text)) {
                return v.id();
            }
        }
        List<String> problems = Compatibility.check(compatibility, schema, parsed(versions));
        if (!problems.isEmpty()) {
            throw RegistryErrors.incompatible("Schema being registered is incompatible with an earlier schema for"
                    + " subject \"" + subject + "\" under compatibility " + compatibility + ": "
                    + String.join("; ", problems));
        }
        int id = idBySchema.getOrDefault(text, maxId + 1);
        int version = versions.isEmpty() ? 1 : versions.lastKey() + 1;
        SchemaVersion registered = new SchemaVersion(subject, version, id, text);
        store.writeSchema(registered);
        remember(registered);
        log.info("Registered schema id {} as version {} of subject {}", id, version, subject);
        return id;
    }

    /** The version of {@code subject} that holds exactly {@code schema}. */
    synchronized SchemaVersion lookup(String subject, Schema schema) {
        String text = schema.toString();
        for (SchemaVersion v : versionsOf(subject).values()) {
            if (v.schema().equals(text)) {
                return v;
            }
        }
        throw RegistryErrors.schemaNotFound("Schema not found under subject \"" + subject + "\"");
    }

    /** Why {@code schema} could not follow the given version ("latest": all of them); empty if it could. */
    synchronized List<String> compatibilityProblems(String subject, String versionRef, Schema schema) {
        List<Schema> against = isLatest(versionRef) ? parsed(versionsOf(subject))
                : List.of(parse(version(subject, versionRef).schema()));
        return Compatibility.check(compatibility, schema, against);
    }

    synchronized String compatibility() {
        requireLoaded();
        return compatibility;
    }

    /** Sets the global compatibility level (any case); returns it as stored. */
    synchronized String setCompatibility(String requested) {
        requireLoaded();
        String level = requested.toUpperCase(Locale.ROOT);
        if (!Compatibility.LEVELS.contains(level)) {
            throw RegistryErrors.invalidCompatibilityLevel("Invalid compatibility level '" + level
                    + "'; valid levels are " + new TreeSet<>(Compatibility.LEVELS));
        }
        store.catchUp(replay);
        store.writeCompatibility(level);
        compatibility = level;
        return level;
    }

    /** Subjects with at least one version, in name order. */
    synchronized List<String> subjects() {
        requireLoaded();
        return subjects.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
    }

    synchronized List<Integer> versions(String subject) {
        return List.copyOf(versionsOf(subject).keySet());
    }

    /** A version by number, or the newest for "latest" (and Confluent's alias -1). */
    synchronized SchemaVersion version(String subject, String ref) {
        TreeMap<Integer, SchemaVersion> versions = versionsOf(subject);
        if (isLatest(ref)) {
            return versions.lastEntry().getValue();
        }
        int n;
        try {
            n = Integer.parseInt(ref);
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n <= 0) {
            throw RegistryErrors.invalidVersion(ref);
        }
        SchemaVersion v = versions.get(n);
        if (v == null) {
            throw RegistryErrors.versionNotFound(n);
        }
        return v;
    }

    synchronized String schemaById(String ref) {
        requireLoaded();
        int id;
        try {
            id = Integer.parseInt(ref);
        } catch (NumberFormatException e) {
            throw RegistryErrors.schemaNotFound("Schema " + ref + " not found");
        }
        String s = schemaById.get(id);
        if (s == null) {
            store.catchUp(replay);
            s = schemaById.get(id);
        }
        if (s == null) {
            throw RegistryErrors.schemaNotFound("Schema " + id + " not found");
        }
        return s;
    }

    synchronized int versionCount() {
        return subjects.values().stream().mapToInt(Map::size).sum();
    }

    synchronized int schemaCount() {
        return schemaById.size();
    }

    synchronized int subjectCount() {
        return subjects.size();
    }

    private TreeMap<Integer, SchemaVersion> versionsOf(String subject) {
        requireLoaded();
        TreeMap<Integer, SchemaVersion> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            // another writer may have added it since we last read the topic
            store.catchUp(replay);
            versions = subjects.get(subject);
        }
        if (versions == null || versions.isEmpty()) {
            throw RegistryErrors.subjectNotFound(subject);
        }
        return versions;
    }

    private void remember(SchemaVersion v) {
        subjects.computeIfAbsent(v.subject(), s -> new TreeMap<>()).put(v.version(), v);
        schemaById.put(v.id(), v.schema());
        idBySchema.putIfAbsent(v.schema(), v.id());
        maxId = Math.max(maxId, v.id());
    }

    private void requireLoaded() {
        if (!loaded) {
            throw RegistryErrors.loading();
        }
    }

    private static boolean isLatest(String ref) {
        return "latest".equals(ref) || "-1".equals(ref);
    }

    private static List<Schema> parsed(TreeMap<Integer, SchemaVersion> versions) {
        return versions.values().stream().map(v -> parse(v.schema())).toList();
    }

    private static Schema parse(String stored) {
        return new Schema.Parser().parse(stored);
    }
}
