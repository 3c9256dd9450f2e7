package org.crsaug.launcher;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.model.training.Replay;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Rebuild a checkpoint's training set from its recorded offset ranges, retrain with its recorded"
                + " configuration and seed, and report whether every metric matches. Exit code 3 when not.",
        footer = {"", "Examples:", "  crs replay --checkpoint inspired-r1-two-stage-semantic-a3341c9c"})
final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, paramLabel = "ID", description = "Checkpoint id to replay.")
    String checkpointId;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        CrsConfig config = options.load(Map.of());
        Logging.toFile(config);
        try (Platform platform = Platform.start(config)) {
            Path root = config.getPath("state.dir").resolve("replays").resolve(Long.toString(System.currentTimeMillis()));
            Replay.Outcome o = Replay.replay(platform, checkpointId, root);
            System.out.printf("%-40s %14s %14s%n", "metric", "recorded", "replayed");
            o.metrics().forEach((k, v) -> System.out.printf(Locale.ROOT, "%-40s %14.6f %14.6f%s%n", k, v[0], v[1],
                    Double.compare(v[0], v[1]) == 0 ? "" : "   <- differs"));
            System.out.println("metrics " + (o.metricsMatch() ? "match exactly" : "DIFFER")
                    + "; model artifact " + (o.artifactMatches() ? "is byte-identical" : "differs")
                    + " (replayed into " + o.replayed().getArtifactUri() + ")");
            return o.metricsMatch() ? 0 : 3;
        }
    }
}
