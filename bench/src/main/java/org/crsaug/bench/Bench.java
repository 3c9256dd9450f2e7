package org.crsaug.bench;

import org.crsaug.launcher.Crs;
import picocli.CommandLine;

/** Entry point of the benchmark jar; {@code ./crs bench ...} lands here. */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) {
        System.exit(Crs.execute(commandLine(), args));
    }

    /** The bench command line, named as a person types it through the {@code ./crs} script. */
    static CommandLine commandLine() {
        return new CommandLine(new BenchCommand()).setCommandName("crs bench");
    }
}
