package org.crsaug.platform.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.crsaug.platform.topic.TopicSpec;

/**
 * Layered configuration: built-in defaults, then a properties file, then environment variables
 * ({@code CRS_TOPIC_PARTITIONS} sets {@code topic.partitions}), then command-line flags. Each later
 * layer wins. Every key and value is checked against {@link SettingRegistry} when loaded. Keys under
 * {@code kafka.} pass straight through to every Kafka client, which is how TLS/SASL settings reach a real
 * cluster.
 */
public final class CrsConfig {

    public static final String ENV_PREFIX = "CRS_";

    private final Map<String, String> values;

    private CrsConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static CrsConfig defaults() {
        return new CrsConfig(SettingRegistry.builtIn().defaults());
    }

    /** One layer of command-line values, named for error messages ("--set", "--state-dir", ...). */
    public record Layer(String source, Map<String, String> values) {
    }

    /**
     * @param file optional properties file (null for none); a missing file is an error, not a silent default
     * @param env  environment variables (pass {@code System.getenv()})
     * @param overrides flag values, highest precedence
     */
    public static CrsConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        return load(file, env, List.of(new Layer("--set", overrides)));
    }

    /**
     * Merges defaults, file, environment and the flag layers (later wins) and checks every key and value
     * against {@link SettingRegistry}, so that a typo or a bad value fails at start-up, naming its source,
     * rather than being ignored or failing mid-run. All problems are reported at once.
     */
    public static CrsConfig load(Path file, Map<String, String> env, List<Layer> flags) {
        SettingRegistry registry = SettingRegistry.builtIn();
        Map<String, String> merged = new TreeMap<>(registry.defaults());
        Map<String, String> origin = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        List<Layer> layers = new ArrayList<>();
        if (file != null) {
            layers.add(new Layer("config file " + file, readFile(file)));
        }
        new TreeMap<>(env).forEach((name, value) -> {
            if (isSetting(name)) {
                layers.add(new Layer("environment variable " + name, Map.of(envToKey(name), value)));
            }
        });
        layers.addAll(flags);
        for (Layer layer : layers) {
            layer.values().forEach((key, value) -> {
                Optional<String> unknown = registry.unknownKey(key, layer.source());
                if (unknown.isPresent()) {
                    problems.add(unknown.get());
                } else {
                    merged.put(key, value.trim());
                    origin.put(key, layer.source());
                }
            });
        }
        origin.forEach((key, source) -> registry.badValue(key, merged.get(key), source)
                .ifPresent(problems::add));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.size() == 1 ? problems.get(0)
                    : "Invalid configuration:\n  " + String.join("\n  ", problems));
        }
        return new CrsConfig(merged);
    }

    /**
     * Checks settings that arrive outside {@link #load}, e.g. the overrides of an experiment's label variant.
     *
     * @throws ConfigException naming every unknown key (with the closest known one) and every bad value
     */
    public static void check(Map<String, String> settings, String source) {
        SettingRegistry registry = SettingRegistry.builtIn();
        List<String> problems = new ArrayList<>();
        settings.forEach((key, value) -> registry.unknownKey(key, source)
                .or(() -> registry.badValue(key, value, source)).ifPresent(problems::add));
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("\n", problems));
        }
    }

    private static Map<String, String> readFile(Path file) {
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
        Map<String, String> m = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        return m;
    }

    /**
     * {@code CRS_*} variables that belong to the tooling around the configuration, not to it; they are
     * neither read as settings nor refused as unknown ones.
     */
    public static final Set<String> NOT_SETTINGS = Set.of(
            // JVM options of the ./crs script
            "CRS_JAVA_OPTS");

    /** Whether {@link #load} reads this environment variable as a setting. */
    public static boolean isSetting(String envName) {
        return envName.startsWith(ENV_PREFIX) && envName.length() > ENV_PREFIX.length()
                && !NOT_SETTINGS.contains(envName);
    }

    /** CRS_SCHEMA_REGISTRY_URL -> schema.registry.url; a double underscore keeps a literal underscore. */
    public static String envToKey(String env) {
        String body = env.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
        return body.replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
    }

    /** The inverse of {@link #envToKey}: schema.registry.url -> CRS_SCHEMA_REGISTRY_URL. */
    public static String keyToEnv(String key) {
        return ENV_PREFIX + key.replace("_", "__").replace('.', '_').toUpperCase(Locale.ROOT);
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
                    + keyToEnv(key) + ", or with --set " + key + "=...)");
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
                || k.contains("sasl.jaas") || k.contains("user.info");
    }
}
