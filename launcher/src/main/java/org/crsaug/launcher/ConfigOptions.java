package org.crsaug.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crsaug.platform.config.CrsConfig;
import picocli.CommandLine.Option;

/** Options every command shares; they feed the flag layer of {@link CrsConfig}. */
public final class ConfigOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with settings (see docs/configuration.md).")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override any setting, e.g. --set retriever.top.k=20. Repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the embedded broker, registry, stream state and artifacts live (default .crs).")
    String stateDir;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory holding redial/ and inspired/ (default ../shared/data when present).")
    String dataDir;

    @Option(names = "--bootstrap-servers", paramLabel = "HOSTS", description = "Use an external Kafka cluster instead of the embedded broker.")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL", description = "Use an external Confluent-compatible schema registry.")
    String schemaRegistryUrl;

    /** @param commandDefaults the command's own settings, e.g. its --dataset; --set and the named flags win */
    public CrsConfig load(Map<String, String> commandDefaults) {
        List<CrsConfig.Layer> flags = new ArrayList<>(List.of(new CrsConfig.Layer("command options", commandDefaults),
                new CrsConfig.Layer("--set", overrides)));
        addIfSet(flags, "--state-dir", "state.dir", stateDir);
        addIfSet(flags, "--data-dir", "data.dir", dataDir);
        addIfSet(flags, "--bootstrap-servers", "bootstrap.servers", bootstrapServers);
        addIfSet(flags, "--schema-registry-url", "schema.registry.url", schemaRegistryUrl);
        return CrsConfig.load(configFile, System.getenv(), flags);
    }

    /**
     * The settings flags given (--config, --data-dir, every --set), as arguments again: for a command that
     * starts another crs command as a process of its own with the same settings ({@code crs bench soak}'s
     * {@code crs up}). The state directory and the cluster flags are left out: that command decides them.
     */
    public List<String> settingsFlags() {
        List<String> args = new ArrayList<>();
        if (configFile != null) {
            args.addAll(List.of("--config", configFile.toString()));
        }
        if (dataDir != null) {
            args.addAll(List.of("--data-dir", dataDir));
        }
        overrides.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        return args;
    }

    /** Puts a command's optional flag into its settings under {@code key} when it was given. */
    static void putIfSet(Map<String, String> flags, String key, Object value) {
        if (value != null) {
            flags.put(key, value.toString());
        }
    }

    private static void addIfSet(List<CrsConfig.Layer> layers, String flag, String key, String value) {
        if (value != null) {
            layers.add(new CrsConfig.Layer(flag, Map.of(key, value)));
        }
    }
}
