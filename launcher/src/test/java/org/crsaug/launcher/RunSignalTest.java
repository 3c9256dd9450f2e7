package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.ChildJvm;
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
        int closedPort = refusedPort();
        Map<String, String> settings = new LinkedHashMap<>();
        // nothing listens on the port: every call is refused, so the run waits in retrieve+judge
        settings.put("scorer.judge", "llm");
        settings.put("scorer.llm.base.url", "http://127.0.0.1:" + closedPort + "/v1");
        settings.put("scorer.llm.max.attempts", "2");
        settings.put("scorer.llm.backoff.base.ms", "200");
        settings.put("scorer.llm.backoff.max.ms", "1000");
        settings.put("scorer.llm.context.deadline.ms", "3000");
        settings.put("retriever.top.k", "10");
        List<String> args = new ArrayList<>(List.of("run", "--dataset", "inspired", "--state-dir",
                tmp.resolve("state").toString(), "--data-dir", data.toString()));
        args.addAll(ChildJvm.setArgs(settings));
        ChildJvm run = ChildJvm.start(Crs.class.getName(), args, Map.of("OPENAI_API_KEY", "sk-signal-test"),
                "run-signal-test.log");
        try {
            Await.until("the outage on crs run's output", Duration.ofMinutes(3), () -> {
                String out = run.output();
                assertThat(run.process().isAlive()).as("crs run ended early:%n%s", out).isTrue();
                // on a starved machine the first pause can come from the context deadline before any call has
                // failed, and then names no cause; the cause must show by a later one (judging is retried)
                return (out.contains("[2/5] retrieve+judge scorer: LLM call failed (")
                        || out.contains("[2/5] retrieve+judge scorer: paused: the judge's endpoint is unreachable"))
                        && out.contains("Connection refused");
            });
            run.process().destroy();
            assertThat(run.process().waitFor(2, TimeUnit.MINUTES)).as("stopped within 2 minutes").isTrue();
        } finally {
            run.process().destroyForcibly();
        }
        String out = run.output();
        assertThat(out).contains("crs run: stopped by a signal after ", "during [2/5] retrieve+judge",
                "services and broker closed cleanly", "crs run again resumes");
        assertThat(out).as("the cause, not only the client's words").contains("Connection refused");
        assertThat(out).as("no stack trace on the terminal").doesNotContain("\tat ", "Exception");
        // 128 + SIGTERM: the JVM reports the signal whatever the command returns
        assertThat(run.process().exitValue()).isEqualTo(143);
    }

    /**
     * A port below 1024 that refuses connections now. A port taken from {@code new ServerSocket(0)} and closed
     * again can be handed straight to one of the run's own servers, which bind port 0 too (it happened: the
     * judge then got "not found" from our own HTTP server instead of a refusal); binding port 0 never hands out
     * a port below 1024.
     */
    private static int refusedPort() throws java.io.IOException {
        for (int port = 1; port < 1024; port++) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
            } catch (java.net.ConnectException refused) {
                return port;
            } catch (java.net.SocketTimeoutException filtered) {
                // neither refused nor accepted: not the refusal the test needs, try the next
            }
        }
        throw new IllegalStateException("every port below 1024 on 127.0.0.1 accepts connections");
    }
}
