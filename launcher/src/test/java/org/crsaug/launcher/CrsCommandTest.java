package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.crsaug.testkit.CommandHelp;
import org.crsaug.testkit.ConsoleCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What a person sees at the command line: help with examples, and errors that name the fix. */
class CrsCommandTest {

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private String stdout() {
        return console.stdout();
    }

    private String stderr() {
        return console.stderr();
    }

    @Test
    void everyCommandHasHelpWithExamples() {
        // the launcher's twelve commands and export's two subcommands; the bench commands live in the bench
        // module and are checked there
        CommandHelp.assertEveryCommandHasExamples(() -> new picocli.CommandLine(new Crs()), "crs", 14);
        console.reset();
        assertThat(Crs.execute("--help")).isZero();
        assertThat(stdout()).contains("run", "up", "ingest", "service", "serve", "status");
    }

    @Test
    void serveRejectsBadSettingsBeforeStartingAnything(@TempDir Path tmp) {
        int rc = Crs.execute("serve", "--port", "70000", "--state-dir", tmp.resolve("state").toString());
        assertThat(rc).isNotZero();
        assertThat(stderr()).contains("serve.port must be between 0 and 65535");
    }

    @Test
    void upRejectsBadPortsAndDatasetsBeforeStartingAnything(@TempDir Path tmp) {
        Path state = tmp.resolve("state");
        assertThat(Crs.execute("up", "--kafka-port", "70000", "--state-dir", state.toString())).isNotZero();
        assertThat(stderr()).contains("up.kafka.port must be an integer between 0 and 65535");
        console.reset();
        assertThat(Crs.execute("up", "--dataset", "movielens", "--state-dir", state.toString(), "--data-dir",
                tmp.toString())).isNotZero();
        assertThat(stderr()).contains("movielens").contains("inspired");
        assertThat(state).as("nothing started, nothing written").doesNotExist();
    }

    @Test
    void upNamesTheFlagOfABusyPort(@TempDir Path tmp) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            int rc = Crs.execute("up", "--kafka-port", String.valueOf(taken.getLocalPort()), "--registry-port", "0",
                    "--port", "0", "--state-dir", tmp.resolve("state").toString());
            assertThat(rc).isNotZero();
            assertThat(stderr()).contains("Port " + taken.getLocalPort(), "--kafka-port");
        }
        // and it let go of the state directory
        assertThat(org.crsaug.platform.kafka.StateDirLock.heldHere(tmp.resolve("state"))).isFalse();
    }

    @Test
    void unknownFlagsAndDatasetsAreRejectedClearly(@TempDir Path tmp) {
        assertThat(Crs.execute("run", "--no-such-flag")).isNotZero();
        assertThat(stderr()).contains("--no-such-flag");

        console.reset();
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

    @Test
    void aMisspeltCommandIsAnErrorEvenWithHelp() {
        assertThat(Crs.execute("stauts", "--help")).isEqualTo(picocli.CommandLine.ExitCode.USAGE);
        assertThat(stderr()).contains("unknown command 'stauts'", "did you mean 'status'?", "crs --help");
        assertThat(stdout()).as("no usage printed as if it had worked").isEmpty();
        console.reset();
        assertThat(Crs.execute("status", "--help")).isZero();
        assertThat(stdout()).contains("Usage: crs status");
    }

    @Test
    void dlqRefusesANegativeLimitAndAKeyNoLetterHas(@TempDir Path tmp) {
        String state = tmp.resolve("state").toString();
        assertThat(Crs.execute("dlq", "list", "--limit", "-1", "--state-dir", state)).isNotZero();
        assertThat(stderr()).contains("--limit must be 0 or more", "got -1");
        assertThat(tmp.resolve("state")).as("refused before starting anything").doesNotExist();

        console.reset();
        assertThat(Crs.execute("dlq", "resubmit", "--key", "candidates@0:42", "--state-dir", state)).isNotZero();
        assertThat(stderr()).contains("no dead letter has the key 'candidates@0:42'", "crs dlq list");
        assertThat(stdout()).doesNotContain("re-submitted");
    }

    @Test
    void recommendNamesAMissingDialogueFileOrADirectoryInOneLine(@TempDir Path tmp) {
        String state = tmp.resolve("state").toString();
        assertThat(Crs.execute("recommend", "--dialogue", tmp.resolve("nowhere.json").toString(), "--state-dir", state))
                .isEqualTo(1);
        assertThat(stderr()).contains("error: No such file: ", "nowhere.json").doesNotContain("Exception");
        console.reset();
        assertThat(Crs.execute("recommend", "--dialogue", tmp.toString(), "--state-dir", state)).isEqualTo(1);
        assertThat(stderr()).contains("is a directory; name a file").doesNotContain("Exception");
        assertThat(tmp.resolve("state")).as("refused before starting anything").doesNotExist();
    }
}
