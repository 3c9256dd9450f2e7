package org.crsaug.launcher;

import org.crsaug.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code crs} command: the whole pipeline, or any one part of it. */
@Command(name = "crs", mixinStandardHelpOptions = true, version = "crs 0.1.0",
        description = "Augments conversational-recommendation training data with LLM-judged labels and trains better recommenders.",
        subcommands = {RunCommand.class, IngestCommand.class, ServiceCommand.class, ServeCommand.class, StatusCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  crs run --dataset inspired            whole pipeline on the embedded platform",
                "  crs ingest --dataset redial           publish a dataset to the dialogues/items topics",
                "  crs ingest --file new-dialogue.json   stream in one new dialogue",
                "  crs service scorer --bootstrap-servers kafka:9092 --schema-registry-url http://registry:8081",
                "  crs serve --port 8080                 recommendation API and chat page",
                "  crs status                            topics, consumer lag, last checkpoint"})
public final class Crs implements Runnable {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        CommandLine cl = new CommandLine(new Crs());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable root = e;
            if (root instanceof ConfigException || root instanceof IllegalArgumentException
                    || root instanceof IllegalStateException) {
                cmd.getErr().println("error: " + root.getMessage());
            } else {
                cmd.getErr().println("error: " + root);
                root.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
