package org.crsaug.platform.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.platform.topic.Topics;

/**
 * Every setting there is, read from {@code crs-defaults.properties}: its default, its type (the {@code #:} line
 * above it, see {@link SettingType}) and its meaning (the {@code #} comment lines above it). Keys that are open
 * by nature, such as {@code kafka.*}, are declared there as families: {@code #: family kafka.* string?}.
 * Keeping all of this next to the defaults means a new key is declared, typed and documented in one edit.
 */
public final class SettingRegistry {

    /** One known key, or one family of keys when {@link #family()} is true (then {@link #key()} is the prefix). */
    public record Setting(String key, boolean family, String defaultValue, SettingType type, String meaning,
            boolean declaredType) {

        public boolean matches(String k) {
            return family ? k.startsWith(key) && k.length() > key.length() : k.equals(key);
        }

        /** The key as written in documentation: a family shows its open part as {@code <name>}. */
        public String displayKey() {
            return family ? key + "*" : key;
        }
    }

    private static final String RESOURCE = "/crs-defaults.properties";
    private static final String TYPE_MARK = "#:";
    private static final String FAMILY_WORD = "family";
    private static final SettingRegistry BUILT_IN = load(RESOURCE);

    private final Map<String, Setting> settings;
    private final List<Setting> families;
    private final Map<String, String> defaults;

    private SettingRegistry(Map<String, Setting> settings, List<Setting> families, Map<String, String> defaults) {
        this.settings = Collections.unmodifiableMap(settings);
        this.families = List.copyOf(families);
        this.defaults = Collections.unmodifiableMap(defaults);
    }

    public static SettingRegistry builtIn() {
        return BUILT_IN;
    }

    static SettingRegistry load(String resource) {
        String text;
        try (InputStream in = SettingRegistry.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return parse(text);
    }

    static SettingRegistry parse(String text) {
        // Properties does the value syntax (escapes, continuation lines); the line scan below only needs keys
        Properties values = new Properties();
        try {
            values.load(new StringReader(text));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, Setting> settings = new LinkedHashMap<>();
        List<Setting> families = new ArrayList<>();
        List<String> comment = new ArrayList<>();
        String typeSpec = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("# ---")) {
                comment.clear();
                typeSpec = null;
            } else if (line.startsWith(TYPE_MARK + " " + FAMILY_WORD + " ")) {
                String[] parts = line.substring(TYPE_MARK.length()).strip().split("\\s+", 3);
                String prefix = parts[1].endsWith("*") ? parts[1].substring(0, parts[1].length() - 1) : parts[1];
                families.add(new Setting(prefix, true, null, SettingType.parse(parts.length > 2 ? parts[2] : "string?"),
                        String.join(" ", comment), true));
                comment.clear();
            } else if (line.startsWith(TYPE_MARK)) {
                typeSpec = line.substring(TYPE_MARK.length()).strip();
            } else if (line.startsWith("#")) {
                comment.add(line.substring(1).strip());
            } else if (line.contains("=")) {
                String key = line.substring(0, line.indexOf('=')).strip();
                SettingType type = typeSpec == null ? SettingType.FREE_TEXT : parseType(key, typeSpec);
                settings.put(key, new Setting(key, false, values.getProperty(key, "").strip(), type,
                        String.join(" ", comment), typeSpec != null));
                comment.clear();
                typeSpec = null;
            }
        }
        Map<String, String> defaults = new LinkedHashMap<>();
        settings.values().forEach(s -> defaults.put(s.key(), s.defaultValue()));
        return new SettingRegistry(settings, families, defaults);
    }

    private static SettingType parseType(String key, String spec) {
        try {
            return SettingType.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("crs-defaults.properties, key " + key + ": " + e.getMessage(), e);
        }
    }

    public Map<String, String> defaults() {
        return defaults;
    }

    /** Known keys in file order, then the families. */
    public List<Setting> all() {
        List<Setting> out = new ArrayList<>(settings.values());
        out.addAll(families);
        return out;
    }

    public Optional<Setting> find(String key) {
        Setting s = settings.get(key);
        return s != null ? Optional.of(s) : families.stream().filter(f -> f.matches(key)).findFirst();
    }

    /**
     * @param source where the key came from, for the message ("--set", "environment variable CRS_X", ...)
     * @return why the key is refused, naming the closest known key; empty when it is known
     */
    public Optional<String> unknownKey(String key, String source) {
        if (key.startsWith(CrsConfig.TOPIC_NAME_PREFIX)) {
            // the family is open in the file but not in fact: a pin for a topic that does not exist would
            // be ignored without a word, so the base name must be one of the topic registry's
            String base = key.substring(CrsConfig.TOPIC_NAME_PREFIX.length());
            List<String> bases = Topics.all().stream().map(TopicSpec::baseName).toList();
            return bases.contains(base) ? Optional.empty() : Optional.of("unknown topic '" + base + "' in '" + key
                    + "' (from " + source + "); did you mean '" + CrsConfig.TOPIC_NAME_PREFIX + ClosestName.to(bases, base)
                    + "'?");
        }
        if (find(key).isPresent()) {
            return Optional.empty();
        }
        return Optional.of("unknown setting '" + key + "' (from " + source + "); did you mean '"
                + ClosestName.to(settings.keySet(), key) + "'?");
    }

    /** @return why the value is refused, with the key in the message; empty when it fits the key's type */
    public Optional<String> badValue(String key, String value, String source) {
        Optional<Setting> s = find(key);
        if (s.isEmpty() || s.get().type().accepts(value)) {
            return Optional.empty();
        }
        SettingType type = s.get().type();
        String what = value.isBlank() ? " must not be empty" : " must be " + type.describe() + ", got '"
                + (CrsConfig.isSecret(key) ? "****" : value) + "'";
        return Optional.of(key + what + " (from " + source + ")");
    }
}
