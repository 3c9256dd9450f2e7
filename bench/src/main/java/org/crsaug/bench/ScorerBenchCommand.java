package org.crsaug.bench;

import org.crsaug.launcher.ConfigOptions;
import org.crsaug.launcher.Logging;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.bench.ScorerBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "scorer", mixinStandardHelpOptions = true,
        description = "Scorer throughput against a local fake LLM: 1/2/4 replicas, the scorer's CPU time per context"
                + " for each judge, a requests/min budget, student scoring on the CPU, and a replay that must make no"
                + " LLM calls. --mode batch: a backlog judged through the fake server's Batch API (request lines per"
                + " batch file, time from backlog to all judged, cost at batch vs online prices).",
        footer = {"", "Examples:", "  crs bench scorer --latency-ms 200 --set state.dir=/tmp/bench",
            "  crs bench scorer --mode batch --contexts 400 --max-requests 100"})
final class ScorerBenchCommand implements Callable<Integer> {

    @Option(names = "--latency-ms", defaultValue = "200", description = "Reply latency of the fake server (default ${DEFAULT-VALUE}).")
    long latencyMs;

    @Option(names = "--contexts", defaultValue = "80", description = "Contexts (10 candidates each) per throughput run (default ${DEFAULT-VALUE}).")
    int contexts;

    @Option(names = "--repeats", defaultValue = "3", description = "Runs per replica count; the median is reported (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--limit-per-minute", defaultValue = "500", description = "Requests/min budget of the rate-limit run (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--limited-contexts", defaultValue = "600", description = "Contexts in the rate-limit run (default ${DEFAULT-VALUE}).")
    int limitedContexts;

    @Option(names = "--cpu-only", description = "Only the scorer's CPU time per context for each judge (1 replica).")
    boolean cpuOnly;

    @Option(names = "--mode", defaultValue = "online", description = "online (chat calls, the default) or batch (the"
            + " Batch API on a backlog).")
    Mode mode;

    @Option(names = "--max-requests", defaultValue = "1000", description = "--mode batch: request lines per batch file,"
            + " scorer.llm.batch.max.requests (default ${DEFAULT-VALUE}).")
    int maxRequests;

    @Option(names = "--poll-ms", defaultValue = "200", description = "--mode batch: how often a batch is polled,"
            + " scorer.llm.batch.poll.ms (default ${DEFAULT-VALUE}).")
    long pollMs;

    /** How the judge buys its tokens in the bench. */
    enum Mode { online, batch }

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        CrsConfig config = options.load(Map.of());
        Logging.toFile(config);
        try (Platform platform = Platform.start(config)) {
            if (mode == Mode.batch) {
                new ScorerBatchBench(platform, System.out).run(new ScorerBatchBench.Options(contexts, maxRequests, pollMs,
                        repeats));
                return 0;
            }
            new ScorerBench(platform, System.out).run(new ScorerBench.Options(latencyMs, contexts, repeats, limit,
                    limitedContexts, cpuOnly));
        }
        return 0;
    }
}
