package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.DataSlices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs run} as a person runs it, in its own JVM, with the LLM judge's endpoint down: the outage is on
 * its progress output while it lasts, and SIGTERM ends the run with one line saying what happened, not
 * with Kafka Streams' stack traces.
 */
class RunSignalTest {

    @Test
    void anOutageIsShownAndSigtermStopsTheRunCleanly(@TempDir Path tmp) throws Exception {
        Path data = DataSlices.inspiredSlice(tmp.resolve("data"), Map.of("train", 6, "valid", 2, "test", 2));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-Dai.djl.offline=true", "-cp", System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path")), Crs.class.getName(), "run", "--dataset", "inspired",
                "--state-dir", tmp.resolve("state").toString(), "--data-dir", data.toString()));
        // nothing listens on the port: every call is refused, so the run waits in retrieve+judge
        for (String set : List.of("scorer.judge=llm", "scorer.llm.base.url=http://127.0.0.1:" + closedPort + "/v1",
                "scorer.llm.max.attempts=2", "scorer.llm.backoff.base.ms=200", "scorer.llm.backoff.max.ms=1000",
                "scorer.llm.context.deadline.ms=3000", "retriever.top.k=10")) {
            command.add("--set");
            command.add(set);
        }
        File output = tmp.resolve("run.out").toFile();
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output);
        pb.environment().put("OPENAI_API_KEY", "sk-signal-test");
        Process run = pb.start();
        try {
            Await.until("the outage on crs run's output", Duration.ofMinutes(3), () -> {
                assertThat(run.isAlive()).as("crs run ended early:%n%s", read(output)).isTrue();
                return read(output).contains("[2/5] retrieve+judge LLM call failed (")
                        || read(output).contains("[2/5] retrieve+judge scorer: paused: the judge's endpoint is unreachable");
            });
            run.destroy();
            assertThat(run.waitFor(2, TimeUnit.MINUTES)).as("stopped within 2 minutes").isTrue();
        } finally {
            run.destroyForcibly();
        }
        String out = read(output);
        System.out.println("what crs run printed:\n" + out);
        assertThat(out).contains("crs run: stopped by a signal after ", "during [2/5] retrieve+judge",
                "services and broker closed cleanly", "crs run again resumes");
        assertThat(out).as("the cause, not only the client's words").contains("Connection refused");
        assertThat(out).as("no stack trace on the terminal").doesNotContain("\tat ", "Exception");
        // 128 + SIGTERM: the JVM reports the signal whatever the command returns
        assertThat(run.exitValue()).isEqualTo(143);
    }

    private static String read(File f) {
        try {
            return Files.readString(f.toPath());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
