package org.crsaug.launcher;

import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "One-screen summary: records and consumer lag per topic, the last checkpoint and its metrics.",
        footer = {"", "Examples:", "  crs status                                 the embedded platform under .crs",
                "  crs status --bootstrap-servers localhost:29092 --schema-registry-url http://localhost:8081"})
final class StatusCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        CrsConfig config = options.load(Map.of());
        Logging.toFile(config);
        try (Platform platform = Platform.start(config)) {
            System.out.print(PipelineStatus.render(PipelineStatus.collect(platform)));
        }
        return 0;
    }
}
