package org.crsaug.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.launcher.ConfigOptions;
import org.crsaug.launcher.Logging;
import org.crsaug.platform.config.CrsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Start a crs up in a JVM of its own, post new dialogues to it at a steady rate for a fixed time,"
                + " and print every interval its heap after GC, resident memory, open files, threads, consumer lag and"
                + " the end-to-end latency (post -> labels); at the end the totals (exit code 1 if anything was"
                + " lost or labelled twice) and the growth trend of heap and open files.",
        footer = {"", "Examples:",
                "  crs bench soak                                     30 min at 2 dialogues/s, a row a minute",
                "  crs bench soak --minutes 3 --sample-seconds 15     a short check",
                "  crs bench soak --rate 4 --set scorer.judge=student --dataset redial",
                "", "The crs up runs on a fresh state directory, <state-dir>/bench/soak-<time>, with the --set,",
                "--config and --data-dir given here; it ingests --dataset and the soak starts once it has",
                "processed it and trained its first round (its JVM idle for 20 s). The directory is kept",
                "(crs-up.out, logs/) for a post-mortem: delete it afterwards."})
final class SoakBenchCommand implements Callable<Integer> {

    @Mixin
    StreamedDialogueOptions sent;

    @Option(names = "--minutes", defaultValue = "30", description = "How long dialogues are posted (default ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--rate", defaultValue = "2", paramLabel = "N", description = "Dialogues per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--sample-seconds", defaultValue = "60", description = "One row every this many seconds (default ${DEFAULT-VALUE}).")
    long sampleSeconds;

    @Option(names = "--heap", defaultValue = "6g", description = "-Xmx of the crs up JVM (default ${DEFAULT-VALUE}, as ./crs gives it).")
    String heap;

    @Option(names = "--settle-timeout", defaultValue = "30", paramLabel = "MINUTES", description = "Longest wait for crs up to be ready and idle before the first post (default ${DEFAULT-VALUE}).")
    long settleTimeout;

    @Option(names = "--drain-timeout", defaultValue = "120", paramLabel = "SECONDS", description = "Longest wait after the last post for every dialogue's labels (default ${DEFAULT-VALUE}).")
    long drainTimeout;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws InterruptedException {
        CrsConfig given = options.load(Map.of());
        if (given.has("bootstrap.servers") || given.has("schema.registry.url")) {
            throw new IllegalArgumentException("crs bench soak starts its own crs up on an embedded broker, to measure"
                    + " that process; drop --bootstrap-servers and --schema-registry-url");
        }
        if (minutes <= 0 || rate <= 0 || sampleSeconds < 1 || settleTimeout < 1 || drainTimeout < 1
                || !heap.matches("[0-9]+[kKmMgG]?")) {
            throw new IllegalArgumentException("--minutes, --rate, --sample-seconds, --settle-timeout and"
                    + " --drain-timeout must be positive, --heap a size such as 4g or 2048m");
        }
        Path state = given.getPath("state.dir").resolve("bench").resolve("soak-" + System.currentTimeMillis());
        CrsConfig config = given.withAll(Map.of("state.dir", state.toString()));
        // the bench's own log beside, not inside, the crs up's state directory: two processes, two files
        Logging.toFile(given);
        return new SoakBench(config, System.out).run(new SoakBench.Options(sent.dataset, sent.files,
                Duration.ofMillis(Math.round(minutes * 60_000)), rate, Duration.ofSeconds(sampleSeconds), heap,
                Duration.ofMinutes(settleTimeout), Duration.ofSeconds(drainTimeout), state, options.settingsFlags()));
    }
}
