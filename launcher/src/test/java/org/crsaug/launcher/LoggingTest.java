package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.crsaug.platform.config.CrsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Logs go under the state directory and nowhere else (a crs.log in the working directory once got committed). */
class LoggingTest {

    @Test
    void theBundledConfigurationWritesNoFileUntilTheStateDirectoryIsKnown() throws Exception {
        try (InputStream in = Logging.class.getResourceAsStream("/logback.xml")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).doesNotContain("FileAppender");
        }
    }

    @Test
    void logsGoToTheStateDirectory(@TempDir Path state) throws Exception {
        CrsConfig config = CrsConfig.defaults().with("state.dir", state.toString());
        Logging.toFile(config);
        LoggerFactory.getLogger(LoggingTest.class).info("hello from the state directory");
        Path file = state.resolve("logs").resolve("crs.log");
        assertThat(Logging.logFile(config)).isEqualTo(file.toAbsolutePath());
        assertThat(Files.readString(file)).contains("hello from the state directory");
    }
}
