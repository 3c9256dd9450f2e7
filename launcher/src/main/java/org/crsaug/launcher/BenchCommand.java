package org.crsaug.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Benchmarks; each stage adds its own subcommand class. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print throughput numbers (medians of repeated runs).",
        subcommands = {ScorerBenchCommand.class})
final class BenchCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
