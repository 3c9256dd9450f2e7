package org.crsaug.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.crsaug.launcher.Crs;
import org.crsaug.testkit.ChildJvm;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.scorer.ScorerService;
import org.crsaug.scorer.llm.LlmJudge;

/**
 * The scorer-scaling part of {@code crs bench stream}: labels/s of an LLM-bound judge (the fake
 * OpenAI-compatible server in a process of its own, a fixed latency per call) with the bench's own
 * scorer and 0, 1, 2 ... extra {@code crs service scorer} processes in the same consumer group. Each
 * run has its own topic namespace on the platform's broker, so the platform's own scorer and data are
 * untouched; the clock runs from publishing the candidates (every member in a stable group) to the last
 * committed scored pair, whose context's labels are committed in the same transaction.
 */
final class ScorerScaling {

    private static final String API_KEY = "sk-bench";
    private static final Duration GROUP_TIMEOUT = Duration.ofMinutes(3);
    /** Warm-up contexts: one per partition of the namespace's 8, ids far from the measured ones'. */
    private static final int WARM_UP_CONTEXTS = 8;
    private static final int WARM_UP_FIRST = 1_000_003;

    private final Platform platform;
    private final PrintStream out;
    private final Path workDir;

    ScorerScaling(Platform platform, PrintStream out) {
        this.platform = platform;
        this.out = out;
        this.workDir = platform.config().getPath("state.dir").resolve("bench").resolve("stream-" + System.currentTimeMillis());
    }

    void run(StreamBench.Options o) throws InterruptedException {
        try (ChildJvm server = ChildJvm.start(FakeChatServerMain.class.getName(),
                List.of(Long.toString(o.latencyMs()), workDir.resolve("fake-chat-url").toString()), Map.of(),
                workDir.resolve("fake-chat-server.log"), "256m")) {
            String url = awaitUrl(server, workDir.resolve("fake-chat-url"));
            out.printf(Locale.ROOT, "scorer scaling: judge llm against the fake OpenAI-compatible server (own JVM,"
                    + " %d ms per call, %d candidates per call), %d contexts over 8 partitions per run, the bench's own"
                    + " scorer plus N extra crs service scorer JVMs in one group, timed after an untimed warm-up of one context"
                    + " per partition, median of %d run(s)%n", o.latencyMs(),
                    ScorerInputs.CANDIDATES_PER_CONTEXT, o.scalingContexts(), o.runs());
            double single = Double.NaN;
            for (int extra : o.extraScorers()) {
                double[] rates = new double[o.runs()];
                for (int r = 0; r < o.runs(); r++) {
                    rates[r] = labelsPerSecond(server, url, extra, o.scalingContexts(), "x" + extra + "-" + r);
                }
                double median = Stats.median(rates);
                if (extra == 0) {
                    single = median;
                }
                out.printf(Locale.ROOT, "labels/s with %d extra scorer process%s (%d in the group): median %.2f (runs"
                        + " %s)%s%n", extra, extra == 1 ? "" : "es", extra + 1, median,
                        java.util.Arrays.toString(Stats.round1(rates)), Double.isNaN(single) || extra == 0 ? ""
                                : String.format(Locale.ROOT, ", %.2fx one process%s", median / single,
                                        extra == 1 ? " (target >= 1.8x: " + (median / single >= 1.8 ? "met" : "missed")
                                                + ")" : ""));
            }
        }
    }

    private double labelsPerSecond(ChildJvm server, String url, int extra, int contexts, String run)
            throws InterruptedException {
        String prefix = "bench-stream-" + workDir.getFileName().toString().substring("stream-".length()) + "-" + run + "-";
        List<ChildJvm> children = new ArrayList<>();
        ScorerService own = null;
        try (Platform producer = ScorerInputs.namespace(platform, url, prefix, 100_000, 1, "producer");
                Platform member = ScorerInputs.namespace(platform, url, prefix, 100_000, 1, "own")) {
            ScorerInputs.publishItems(producer);
            own = ScorerService.create(member, LlmJudge.fromConfig(member.config(), Map.of("OPENAI_API_KEY", API_KEY)));
            own.start();
            for (int i = 0; i < extra; i++) {
                children.add(scorerProcess(url, prefix, i));
            }
            awaitStableGroup(member, own, children, extra + 1, server);
            // one context per partition first, untimed: every member's first LLM calls (a new SDK client) and
            // first commits are behind it, so the clock measures the steady rate, not start-up
            ScorerInputs.publishCandidates(producer, WARM_UP_FIRST, WARM_UP_CONTEXTS);
            ScorerInputs.awaitPairs(producer, (long) WARM_UP_CONTEXTS * ScorerInputs.CANDIDATES_PER_CONTEXT);
            long started = System.nanoTime();
            ScorerInputs.publishCandidates(producer, contexts);
            ScorerInputs.awaitPairs(producer, (long) (WARM_UP_CONTEXTS + contexts) * ScorerInputs.CANDIDATES_PER_CONTEXT);
            return contexts / ((System.nanoTime() - started) / 1e9);
        } finally {
            children.forEach(ChildJvm::close);
            if (own != null) {
                own.stop();
            }
        }
    }

    /** {@code crs service scorer} in a JVM of its own, in the run's namespace, with the llm judge. */
    private ChildJvm scorerProcess(String url, String prefix, int i) {
        List<String> args = new ArrayList<>(List.of("service", "scorer"));
        ScorerInputs.namespaceSettings(platform, url, prefix, 100_000, 1, "extra-" + i)
                .forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        args.addAll(List.of("--set", "scorer.judge=llm"));
        return ChildJvm.start(Crs.class.getName(), args, Map.of("OPENAI_API_KEY", API_KEY),
                workDir.resolve(prefix + "extra-" + i + ".log"), "1g");
    }

    /** Every member joined and the group stable twice in a row a second apart; a dead child fails at once. */
    private static void awaitStableGroup(Platform member, ScorerService own, List<ChildJvm> children, int members,
            ChildJvm server) throws InterruptedException {
        long deadline = System.nanoTime() + GROUP_TIMEOUT.toNanos();
        String group = member.namespaced(ScorerService.APPLICATION_ID);
        try (Admin admin = Admin.create(member.adminProps())) {
            int stable = 0;
            while (stable < 2) {
                server.checkAlive();
                children.forEach(ChildJvm::checkAlive);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The scorer group " + group + " did not settle with " + members
                            + " members within " + GROUP_TIMEOUT.toMinutes() + " min; see the logs beside "
                            + (children.isEmpty() ? "the bench's log" : children.get(0).log()));
                }
                stable = own.isReady() && settled(admin, group, members) ? stable + 1 : 0;
                Thread.sleep(1000);
            }
        }
    }

    private static boolean settled(Admin admin, String group, int members) throws InterruptedException {
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            return d.groupState() == GroupState.STABLE && d.members().size() == members
                    && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        }
    }

    private static String awaitUrl(ChildJvm server, Path file) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!Files.exists(file)) {
            server.checkAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The fake chat server did not start within 1 min; see "
                        + server.log());
            }
            Thread.sleep(100);
        }
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
