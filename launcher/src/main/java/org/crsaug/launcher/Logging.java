package org.crsaug.launcher;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.crsaug.platform.config.CrsConfig;
import org.slf4j.LoggerFactory;

/**
 * Sends logs to {@code <state.dir>/logs/crs.log} so the terminal stays readable. Logs only ever go under the
 * state directory: before {@link #toFile} the bundled {@code logback.xml} writes no file at all.
 */
public final class Logging {

    private static final String STATE_DIR_CONFIG = "/logback-state-dir.xml";

    private Logging() {
    }

    public static Path logFile(CrsConfig config) {
        return config.getPath("state.dir").resolve("logs").resolve("crs.log").toAbsolutePath();
    }

    public static void toFile(CrsConfig config) {
        Path file = logFile(config);
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create log directory " + file.getParent(), e);
        }
        System.setProperty("crs.log.file", file.toString());
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.reset();
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            try {
                configurator.doConfigure(Logging.class.getResource(STATE_DIR_CONFIG));
            } catch (JoranException e) {
                throw new IllegalStateException("Bad logging configuration", e);
            }
        }
    }
}
