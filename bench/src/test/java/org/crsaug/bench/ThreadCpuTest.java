package org.crsaug.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    private static final String STREAM_THREAD =
            "bench-c1-0-crs-scorer-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-StreamThread-1";

    @Test
    void chargesTheScorerOnlyForItsOwnThreads() throws Exception {
        // Given a snapshot, then a scorer stream thread and a broker thread that burn 50 ms of CPU each
        ThreadCpu before = ThreadCpu.snapshot();
        CountDownLatch burnt = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        Thread scorer = burner(STREAM_THREAD, burnt, release);
        Thread broker = burner("data-plane-kafka-request-handler-0", burnt, release);
        burnt.await();
        // When the CPU since the snapshot is taken while both still live
        ThreadCpu.Delta d = ThreadCpu.snapshot().since(before);
        release.countDown();
        scorer.join();
        broker.join();

        // Then the stream thread's CPU is the scorer's, grouped without its ids, and the broker's is not
        assertThat(d.byGroup().get("scorer: <prefix>crs-scorer-<id>-StreamThread-N")).isGreaterThanOrEqualTo(50_000_000L);
        assertThat(d.byGroup().get("other: data-plane-kafka-request-handler-N")).isGreaterThanOrEqualTo(50_000_000L);
        assertThat(d.scorerNanos()).isGreaterThanOrEqualTo(50_000_000L);
        assertThat(d.otherNanos()).isGreaterThanOrEqualTo(50_000_000L);
    }

    @Test
    void tellsTheScorersThreadsFromTheRest() {
        assertThat(ThreadCpu.SCORER).accepts("llm-judge-3", "OkHttp TaskRunner",
                "kafka-producer-network-thread | scorer-judgement-journal",
                "bench-r1-0-crs-scorer-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-GlobalStreamThread",
                "kafka-coordinator-heartbeat-thread | bench-r1-0-crs-scorer", "student-retrainer");
        assertThat(ThreadCpu.SCORER).rejects("data-plane-kafka-request-handler-1", "fake-chat-server-http-12",
                "embedded-schema-registry-http-3", "main", "kafka-producer-network-thread | bench-candidates");
    }

    private static Thread burner(String name, CountDownLatch burnt, CountDownLatch release) {
        Thread t = new Thread(() -> {
            var mx = ManagementFactory.getThreadMXBean();
            long start = mx.getCurrentThreadCpuTime();
            long x = 0;
            while (mx.getCurrentThreadCpuTime() - start < 50_000_000L) {
                x += System.nanoTime() % 7;
            }
            burnt.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (x == 42) {
                System.out.print("");
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
