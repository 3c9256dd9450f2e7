package org.crsaug.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Groups the benchmarks; each stage adds its own subcommand class. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print numbers (medians of one run); they assert nothing.",
        subcommands = {BenchTrainerCommand.class})
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
