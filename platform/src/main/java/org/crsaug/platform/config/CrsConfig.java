package org.crsaug.platform.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.crsaug.platform.topic.TopicSpec;

/**
 * Layered configuration: built-in defaults, then a properties file, then environment variables
 * ({@code CRS_TOPIC_PARTITIONS} sets {@code topic.partitions}), then command-line flags. Each later
 * layer wins. Keys under {@code kafka.} pass straight through to every Kafka client, which is how
 * TLS/SASL settings reach a real cluster.
 */
public final class CrsConfig {

    public static final String ENV_PREFIX = "CRS_";
    private static final String DEFAULTS_RESOURCE = "/crs-defaults.properties";

    private final Map<String, String> values;

    private CrsConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static CrsConfig defaults() {
        return load(null, Map.of(), Map.of());
    }

    /**
     * @param file optional properties file (null for none); a missing file is an error, not a silent default
     * @param env  environment variables (pass {@code System.getenv()})
     * @param overrides flag values, highest precedence
     */
    public static CrsConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> merged = new TreeMap<>(readDefaults());
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("Configuration file " + file.toAbsolutePath()
                        + " does not exist; pass an existing file with --config or leave the flag out.");
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IOException e) {
                throw new ConfigException("Cannot read configuration file " + file + ": " + e.getMessage(), e);
            }
            p.stringPropertyNames().forEach(k -> merged.put(k, p.getProperty(k).trim()));
        }
        env.forEach((k, v) -> {
            if (k.startsWith(ENV_PREFIX) && k.length() > ENV_PREFIX.length()) {
                merged.put(envToKey(k), v);
            }
        });
        merged.putAll(overrides);
        return new CrsConfig(merged);
    }

    /** CRS_SCHEMA_REGISTRY_URL -> schema.registry.url; a double underscore keeps a literal underscore. */
    static String envToKey(String env) {
        String body = env.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
        return body.replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
    }

    private static Map<String, String> readDefaults() {
        Properties p = new Properties();
        try (InputStream in = CrsConfig.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the classpath");
            }
            p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> m = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        return m;
    }

    public CrsConfig with(String key, String value) {
        Map<String, String> m = new TreeMap<>(values);
        m.put(key, value);
        return new CrsConfig(m);
    }

    public CrsConfig withAll(Map<String, String> more) {
        Map<String, String> m = new TreeMap<>(values);
        m.putAll(more);
        return new CrsConfig(m);
    }

    public Map<String, String> asMap() {
        return values;
    }

    public boolean has(String key) {
        String v = values.get(key);
        return v != null && !v.isBlank();
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new ConfigException("Missing configuration '" + key + "' (set it in the config file, as "
                    + ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_') + ", or with --set " + key + "=...)");
        }
        return v;
    }

    public String get(String key, String fallback) {
        String v = values.get(key);
        return v == null || v.isBlank() ? fallback : v;
    }

    public int getInt(String key) {
        return parse(key, Integer::parseInt, "an integer");
    }

    public long getLong(String key) {
        return parse(key, Long::parseLong, "an integer");
    }

    public double getDouble(String key) {
        return parse(key, Double::parseDouble, "a number");
    }

    public boolean getBoolean(String key) {
        String v = get(key).trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new ConfigException("Configuration '" + key + "' must be true or false, got '" + v + "'");
        };
    }

    public Path getPath(String key) {
        return Path.of(get(key));
    }

    private <T> T parse(String key, java.util.function.Function<String, T> parser, String what) {
        String v = get(key).trim();
        try {
            return parser.apply(v);
        } catch (NumberFormatException e) {
            throw new ConfigException("Configuration '" + key + "' must be " + what + ", got '" + v + "'");
        }
    }

    /** Every {@code kafka.*} setting with the prefix removed, for client pass-through. */
    public Properties kafkaPassThrough() {
        Properties p = new Properties();
        values.forEach((k, v) -> {
            if (k.startsWith("kafka.") && !v.isBlank()) {
                p.put(k.substring("kafka.".length()), v);
            }
        });
        return p;
    }

    /** Where checkpoint and student artifacts go: {@code artifact.dir}, else {@code <state.dir>/artifacts}. */
    public Path artifactRoot() {
        return has("artifact.dir") ? getPath("artifact.dir") : getPath("state.dir").resolve("artifacts");
    }

    /** Where bundled encoder models are unpacked: {@code <state.dir>/models}. */
    public Path modelCache() {
        return getPath("state.dir").resolve("models");
    }

    /**
     * Physical topic name: {@code topic.prefix} + base name, so a replay can write into a fresh namespace
     * of topics, unless {@code topic.name.<base name>} names the topic itself. That lets a namespace keep
     * reading one topic of another, e.g. a replay into fresh topics that reads the old {@code dialogues}
     * and shares the LLM judgement cache ({@code topic.name.judgements}).
     */
    public String topic(TopicSpec<?> spec) {
        String own = get(TOPIC_NAME_PREFIX + spec.baseName(), "").trim();
        return own.isEmpty() ? spec.name(get("topic.prefix", "")) : own;
    }

    /** {@code topic.name.judgements=judgements} pins one topic's physical name, whatever the prefix. */
    public static final String TOPIC_NAME_PREFIX = "topic.name.";

    @Override
    public String toString() {
        // never print secrets: anything that looks like a key or password is masked
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(k).append('=').append(isSecret(k) ? "****" : v).append('\n'));
        return sb.toString();
    }

    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("api.key") || k.contains("apikey")
                || k.contains("sasl.jaas");
    }
}
