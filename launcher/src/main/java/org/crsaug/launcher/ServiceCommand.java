package org.crsaug.launcher;

import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.platform.config.CrsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "service", mixinStandardHelpOptions = true,
        description = "Run one service until stopped (Ctrl-C), e.g. one more scorer replica.",
        footer = {"", "Examples:", "  crs service scorer --bootstrap-servers localhost:9092 --schema-registry-url http://localhost:8081",
                "  crs service scorer --state-dir .crs        one more scorer beside the crs up running on .crs",
                "", "Beside a running crs up (same --state-dir) the service attaches to it: a scorer, retriever or",
                "evaluator joins crs up's consumer group as one more member and hands its partitions back when it",
                "stops; a trainer is refused (exit 1, naming the running one): only one trainer per state directory,",
                "since trainers share no group and a second would train every round again. See docs/operations.md."})
final class ServiceCommand implements Callable<Integer> {

    enum Name { retriever, scorer, trainer, evaluator }

    @Parameters(index = "0", description = "One of: ${COMPLETION-CANDIDATES}.")
    Name name;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws InterruptedException {
        CrsConfig config = options.load(Map.of());
        switch (name) {
            case retriever -> SettingsCheck.before(config, java.util.EnumSet.of(SettingsCheck.Part.RETRIEVER));
            case scorer -> SettingsCheck.before(config, java.util.EnumSet.of(SettingsCheck.Part.SCORER));
            case trainer -> SettingsCheck.before(config, java.util.EnumSet.of(SettingsCheck.Part.TRAINER));
            case evaluator -> { }
        }
        Logging.toFile(config);
        return ServiceLauncher.runUntilStopped(config, name.name());
    }
}
