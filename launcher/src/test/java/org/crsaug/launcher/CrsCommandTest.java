package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a person sees at the command line: help with examples, and errors that name the fix. */
class CrsCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyCommandHasHelpWithExamples() {
        // every command and subcommand the CLI has, so a new one cannot ship without examples
        java.util.List<String[]> commands = new java.util.ArrayList<>();
        new picocli.CommandLine(new Crs()).getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                commands.add(new String[] {name});
                sub.getSubcommands().keySet().stream().filter(n -> !n.equals("help"))
                        .forEach(n -> commands.add(new String[] {name, n}));
            }
        });
        assertThat(commands).hasSizeGreaterThan(12);
        for (String[] cmd : commands) {
            out.reset();
            String[] args = java.util.Arrays.copyOf(cmd, cmd.length + 1);
            args[cmd.length] = "--help";
            assertThat(Crs.execute(args)).isZero();
            assertThat(stdout()).as(String.join(" ", cmd)).contains("Usage: crs " + String.join(" ", cmd))
                    .contains("Examples:");
        }
        out.reset();
        assertThat(Crs.execute("--help")).isZero();
        assertThat(stdout()).contains("run", "ingest", "service", "serve", "status");
    }

    @Test
    void serveRejectsBadSettingsBeforeStartingAnything(@TempDir Path tmp) {
        int rc = Crs.execute("serve", "--port", "70000", "--state-dir", tmp.resolve("state").toString());
        assertThat(rc).isNotZero();
        assertThat(stderr()).contains("serve.port must be between 0 and 65535");
    }

    @Test
    void unknownFlagsAndDatasetsAreRejectedClearly(@TempDir Path tmp) {
        assertThat(Crs.execute("run", "--no-such-flag")).isNotZero();
        assertThat(stderr()).contains("--no-such-flag");

        err.reset();
        int rc = Crs.execute("run", "--dataset", "movielens", "--state-dir", tmp.resolve("state").toString(),
                "--data-dir", tmp.toString());
        assertThat(rc).isNotZero();
        assertThat(stderr()).contains("movielens").contains("redial").contains("inspired");
    }

    @Test
    void aMissingDataDirectorySaysWhereToGetTheData(@TempDir Path tmp) {
        int rc = Crs.execute("ingest", "--dataset", "inspired", "--state-dir", tmp.resolve("state").toString(),
                "--data-dir", tmp.resolve("nowhere").toString());
        assertThat(rc).isNotZero();
        assertThat(stderr()).contains("data.dir").contains("github.com/sweetpeach/Inspired");
    }
}
