package org.crsaug.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code crs bench}: commands that measure and print numbers (speed, quality) without changing any
 * state. Each stage adds its own subcommand class here.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure a pipeline stage and print the numbers (no timed tests; medians of repeated runs).",
        subcommands = {RetrieverBenchCommand.class, ScorerBenchCommand.class, StreamBenchCommand.class, SoakBenchCommand.class,
                TrainerBenchCommand.class, AllBenchCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  crs bench retriever --dataset inspired     candidate recall and retrieval speed",
                "  crs bench scorer --latency-ms 200          judge throughput against a local fake LLM",
                "  crs bench stream                           latency and rates of new dialogues into a running crs up",
                "  crs bench soak --minutes 30                a crs up of its own under a steady stream: memory, files, lag",
                "  crs bench trainer                          training speed per backbone",
                "  crs bench all                              every stage against its peer or limit, as ratios"})
public final class BenchCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
