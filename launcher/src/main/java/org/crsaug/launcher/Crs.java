package org.crsaug.launcher;

import org.crsaug.platform.config.ClosestName;
import org.crsaug.platform.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code crs} command: the whole pipeline, or any one part of it. */
@Command(name = "crs", mixinStandardHelpOptions = true, version = "crs 0.1.0",
        description = "Augments conversational-recommendation training data with LLM-judged labels and trains better recommenders.",
        subcommands = {RunCommand.class, UpCommand.class, IngestCommand.class, ExperimentCommand.class, EvaluateCommand.class,
                RecommendCommand.class, SimulateCommand.class, ReplayCommand.class, DlqCommand.class, ImportCommand.class, ExportCommand.class,
                ServeCommand.class, StatusCommand.class, ServiceCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  crs run --dataset inspired",
                "      the whole pipeline on the embedded platform",
                "  crs up --dataset inspired",
                "      keep the platform, services and recommendation server running; other commands attach",
                "  crs ingest --dataset inspired --file new-dialogue.json",
                "      stream in one new dialogue",
                "  crs experiment --dataset inspired --seeds 5",
                "      compare modes, alpha and data size over seeds; writes a report",
                "  crs bench retriever",
                "      candidate quality and retrieval speed (also: bench scorer, bench trainer; the ./crs",
                "      script runs benchmarks from the bench module, which no production jar contains)",
                "  crs serve --port 8080",
                "      recommendation API and chat page on the best checkpoint",
                "  crs status",
                "      topics, consumer lag, last checkpoint",
                "  crs export labels --dataset inspired --format jsonl --out export/",
                "      the newest checkpoint's augmented labels as files (also: fnscrs, redial, inspired)",
                "  crs replay --checkpoint ID",
                "      retrain a checkpoint from its lineage and check the metrics match",
                "  crs service scorer --bootstrap-servers HOST:9092 --schema-registry-url URL",
                "      one more scorer replica against a real cluster"})
public final class Crs implements Runnable {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        return execute(new CommandLine(new Crs()), args);
    }

    /** Runs a command line with the launcher's error reporting: a configuration error is one line, not a trace. */
    public static int execute(CommandLine cl, String... args) {
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable root = e;
            if (root instanceof ConfigException) {
                // settings or flags to fix, found before (or instead of) any work: a usage error, like picocli's own
                cmd.getErr().println("error: " + root.getMessage());
                return CommandLine.ExitCode.USAGE;
            }
            if (root instanceof IllegalArgumentException || root instanceof IllegalStateException) {
                cmd.getErr().println("error: " + root.getMessage());
            } else {
                cmd.getErr().println("error: " + root);
                root.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        String unknown = unknownCommand(cl, args);
        if (unknown != null) {
            cl.getErr().println("error: " + unknown);
            return CommandLine.ExitCode.USAGE;
        }
        return cl.execute(args);
    }

    /**
     * Picocli treats {@code crs typo --help} as a help request and exits 0 with the top-level usage, so a
     * misspelt command looked like a success; every command word is checked here before anything runs.
     *
     * @return why the command line names no known command, with the closest one; null when it does
     */
    static String unknownCommand(CommandLine cl, String... args) {
        CommandLine current = cl;
        for (String arg : args) {
            if (arg.startsWith("-") || current.getSubcommands().isEmpty()) {
                return null;
            }
            CommandLine sub = current.getSubcommands().get(arg);
            if (sub == null) {
                String name = current.getCommandName();
                return "unknown command '" + arg + "' for " + name + "; did you mean '"
                        + ClosestName.to(current.getSubcommands().keySet(), arg) + "'? (" + name
                        + " --help lists every command)";
            }
            current = sub;
        }
        return null;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
