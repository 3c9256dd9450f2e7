package org.crsaug.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import org.crsaug.data.ingest.DialogueIntake;
import org.crsaug.data.ingest.DirectoryWatcher;

/** What {@code crs ingest --watch} and {@code crs up --watch} print for each file a watcher takes, skips or fails on. */
final class WatchLog implements DirectoryWatcher.Listener {

    private final PrintStream out;
    private final PrintStream err;
    private final String prefix;

    /** @param prefix before every line, e.g. {@code "watch: "} where the lines mix with other output */
    WatchLog(PrintStream out, PrintStream err, String prefix) {
        this.out = out;
        this.err = err;
        this.prefix = prefix;
    }

    @Override
    public void ingested(Path f, DialogueIntake.Outcome outcome) {
        out.println(prefix + f.getFileName() + ": " + outcome.summary());
        outcome.bad().forEach(b -> err.println(prefix + f.getFileName() + ": " + b));
    }

    @Override
    public void skipped(Path f, String why) {
        out.println(prefix + f.getFileName() + ": skipped, " + why);
    }

    @Override
    public void failed(Path f, RuntimeException error) {
        err.println(prefix + f.getFileName() + ": not ingested, tried again later: " + error.getMessage());
    }
}
