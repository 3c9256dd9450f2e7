package org.crsaug.launcher;

import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.platform.config.CrsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "service", mixinStandardHelpOptions = true,
        description = "Run one service until stopped (Ctrl-C), e.g. one more scorer replica.",
        footer = {"", "Examples:", "  crs service scorer --bootstrap-servers localhost:9092 --schema-registry-url http://localhost:8081"})
final class ServiceCommand implements Callable<Integer> {

    enum Name { retriever, scorer, trainer, evaluator }

    @Parameters(index = "0", description = "One of: ${COMPLETION-CANDIDATES}.")
    Name name;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws InterruptedException {
        CrsConfig config = options.load(Map.of());
        Logging.toFile(config);
        return ServiceLauncher.runUntilStopped(config, name.name());
    }
}
