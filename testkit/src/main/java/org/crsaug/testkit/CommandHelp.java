package org.crsaug.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * Walks every command and subcommand of a command line and checks that its help has examples, so
 * a new command cannot ship without them. Shared by the launcher and the bench jar, whose commands
 * a person reaches through the same {@code ./crs} script.
 */
public final class CommandHelp {

    private CommandHelp() {
    }

    /**
     * @param fresh      builds the root command line anew for each call (picocli keeps parse state)
     * @param rootName   what the usage line starts with, e.g. {@code crs} or {@code crs bench}
     * @param atLeast    how many commands there must be at least, so a broken walk cannot pass empty
     */
    public static void assertEveryCommandHasExamples(Supplier<CommandLine> fresh, String rootName, int atLeast) {
        List<List<String>> commands = new ArrayList<>();
        fresh.get().getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                commands.add(List.of(name));
                sub.getSubcommands().keySet().stream().filter(n -> !n.equals("help"))
                        .forEach(n -> commands.add(List.of(name, n)));
            }
        });
        assertThat(commands).hasSizeGreaterThanOrEqualTo(atLeast);
        for (List<String> cmd : commands) {
            StringWriter out = new StringWriter();
            CommandLine cl = fresh.get();
            cl.setOut(new PrintWriter(out, true));
            List<String> args = new ArrayList<>(cmd);
            args.add("--help");
            assertThat(cl.execute(args.toArray(String[]::new))).as(String.join(" ", cmd)).isZero();
            assertThat(out.toString()).as(String.join(" ", cmd))
                    .contains("Usage: " + rootName + " " + String.join(" ", cmd)).contains("Examples:");
        }
    }
}
