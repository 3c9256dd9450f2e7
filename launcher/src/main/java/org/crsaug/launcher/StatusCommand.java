package org.crsaug.launcher;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "One-screen summary: records and consumer lag per topic, the last checkpoint and its metrics.",
        footer = {"", "Examples:", "  crs status                                 the embedded platform under .crs",
                "  crs status --watch                         redraw every 5 s until Ctrl-C",
                "  crs status --watch --interval 2 --frames 10    ten frames two seconds apart, then exit (scripts)",
                "  crs status --bootstrap-servers localhost:29092 --schema-registry-url http://localhost:8081"})
final class StatusCommand implements Callable<Integer> {

    /** Cursor home and clear screen: each frame replaces the last instead of scrolling. */
    static final String CLEAR = "\u001b[H\u001b[2J";

    @Option(names = "--watch", description = "Redraw the screen every --interval seconds until Ctrl-C.")
    boolean watch;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "5",
            description = "Seconds between frames with --watch (default: ${DEFAULT-VALUE}).")
    int intervalSeconds;

    @Option(names = "--frames", paramLabel = "N",
            description = "With --watch: stop after N frames instead of at Ctrl-C (for scripts and tests).")
    Integer frames;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (intervalSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--interval must be at least 1 second, got "
                    + intervalSeconds);
        }
        if (frames != null && frames < 1) {
            throw new ParameterException(spec.commandLine(), "--frames must be at least 1, got " + frames);
        }
        if (frames != null && !watch) {
            throw new ParameterException(spec.commandLine(), "--frames only applies with --watch");
        }
        CrsConfig config = options.load(Map.of());
        Logging.toFile(config);
        PrintStream out = System.out;
        try (Platform platform = Platform.start(config); PipelineStatus status = new PipelineStatus(platform)) {
            if (!watch) {
                out.print(PipelineStatus.render(status.snapshot()));
                return 0;
            }
            for (int frame = 1; frames == null || frame <= frames; frame++) {
                // collected before clearing, so the old frame stays up while the broker is asked
                String screen = PipelineStatus.render(status.snapshot());
                out.print(CLEAR + "crs status at " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + ", every "
                        + intervalSeconds + " s (Ctrl-C stops)\n\n" + screen);
                out.flush();
                if (frames == null || frame < frames) {
                    // the refresh period itself, not a wait for something to happen
                    Thread.sleep(intervalSeconds * 1000L);
                }
            }
        }
        return 0;
    }
}
