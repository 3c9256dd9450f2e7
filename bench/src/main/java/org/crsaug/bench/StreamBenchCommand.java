package org.crsaug.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.launcher.ConfigOptions;
import org.crsaug.launcher.Logging;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.kafka.PlatformAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stream", mixinStandardHelpOptions = true,
        description = "Stream new dialogues into a running platform (crs up) at a fixed rate and print ingest ->"
                + " candidates / augmented labels / first checkpoint (medians of runs, p50/p95/p99), the sustained"
                + " dialogues/s before the labels backlog grows, and labels/s of an LLM-bound judge with 0, 1, 2"
                + " extra scorer processes.",
        footer = {"", "Examples:",
                "  crs up --dataset inspired                          in one terminal, then in another:",
                "  crs bench stream                                   the valid split re-keyed as new train dialogues",
                "  crs bench stream --file new.jsonl --rate 4 --dialogues 40 --parts latency",
                "  crs bench stream --bootstrap-servers host:9092 --schema-registry-url http://host:8081",
                "", "The platform's scorer and trainer settings are its own: the checkpoint figure depends on its",
                "trainer.round.* settings (printed as this bench reads them), and --checkpoint-timeout bounds the wait."})
final class StreamBenchCommand implements Callable<Integer> {

    @Mixin
    StreamedDialogueOptions sent;

    @Option(names = "--dialogues", defaultValue = "20", description = "M: dialogues per latency run (default ${DEFAULT-VALUE}).")
    int dialogues;

    @Option(names = "--rate", defaultValue = "2", description = "R: dialogues per second in the latency runs (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--runs", defaultValue = "3", description = "Repeated runs; medians are reported (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--stage-timeout", defaultValue = "120", paramLabel = "SECONDS", description = "Longest wait for the labels of a run or step (default ${DEFAULT-VALUE}).")
    long stageTimeout;

    @Option(names = "--checkpoint-timeout", defaultValue = "180", paramLabel = "SECONDS", description = "Longest wait per run for a checkpoint trained on its labels (default ${DEFAULT-VALUE}).")
    long checkpointTimeout;

    @Option(names = "--steps", split = ",", defaultValue = "1,2,4,8,16", description = "Sustained-rate steps in dialogues/s (default ${DEFAULT-VALUE}).")
    List<Double> steps;

    @Option(names = "--step-seconds", defaultValue = "30", description = "Length of each step (default ${DEFAULT-VALUE}).")
    long stepSeconds;

    @Option(names = "--extra-scorers", split = ",", defaultValue = "0,1,2", description = "Extra crs service scorer processes per scaling measurement (default ${DEFAULT-VALUE}).")
    List<Integer> extraScorers;

    @Option(names = "--scaling-contexts", defaultValue = "80", description = "Contexts (10 candidates each) per scaling run (default ${DEFAULT-VALUE}).")
    int scalingContexts;

    @Option(names = "--latency-ms", defaultValue = "200", description = "Reply latency of the fake LLM server (default ${DEFAULT-VALUE}).")
    long latencyMs;

    @Option(names = "--parts", split = ",", defaultValue = "latency,sustained,scaling", description = "What to measure: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    List<StreamBench.Part> parts;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws InterruptedException {
        CrsConfig config = options.load(Map.of());
        StreamBench.Options o = options(config);
        Logging.toFile(config);
        try (Platform platform = runningPlatform(config)) {
            new StreamBench(platform, System.out).run(o);
        }
        return 0;
    }

    private StreamBench.Options options(CrsConfig config) {
        if (dialogues < 1 || runs < 1 || rate <= 0 || stepSeconds < 1 || scalingContexts < 1 || latencyMs < 0
                || stageTimeout < 1 || checkpointTimeout < 0) {
            throw new IllegalArgumentException("--dialogues, --runs, --rate, --step-seconds, --scaling-contexts and"
                    + " --stage-timeout must be positive, --latency-ms and --checkpoint-timeout not negative");
        }
        if (steps.stream().anyMatch(s -> s <= 0) || extraScorers.stream().anyMatch(e -> e < 0)) {
            throw new IllegalArgumentException("--steps must be positive rates and --extra-scorers counts of 0 or more");
        }
        return new StreamBench.Options(sent.dataset, sent.files, dialogues, rate, runs, Duration.ofSeconds(stageTimeout),
                Duration.ofSeconds(checkpointTimeout), steps, Duration.ofSeconds(stepSeconds), extraScorers,
                scalingContexts, latencyMs, parts.isEmpty() ? EnumSet.allOf(StreamBench.Part.class) : EnumSet.copyOf(parts),
                (int) java.util.Arrays.stream(config.get("trainer.modes").split(",")).filter(m -> !m.isBlank()).count());
    }

    /**
     * The platform to measure: a cluster named with --bootstrap-servers, or the crs up running on the
     * state directory. Never one of its own: an empty embedded broker has nothing to measure.
     */
    private static Platform runningPlatform(CrsConfig config) {
        if (config.has("bootstrap.servers")) {
            return Platform.start(config);
        }
        Path state = config.getPath("state.dir");
        String start = "No crs up is running on the state directory " + state.toAbsolutePath() + ". Start one in"
                + " another terminal with './crs up --dataset inspired" + (state.equals(Path.of(".crs")) ? ""
                        : " --state-dir " + state) + "' and run the bench again once it prints its ready block, or"
                + " name a cluster with --bootstrap-servers and --schema-registry-url.";
        if (PlatformAddress.read(state).isEmpty()) {
            throw new IllegalStateException(start);
        }
        Platform platform = Platform.start(config);
        if (!platform.attached()) {
            // the address file was stale (its crs up is gone): this started an empty broker of its own
            platform.close();
            throw new IllegalStateException(start);
        }
        return platform;
    }
}
