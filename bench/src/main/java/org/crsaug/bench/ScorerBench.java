package org.crsaug.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.crsaug.testkit.FakeChatServer;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.scorer.RelevanceJudge;
import org.crsaug.scorer.RetrievalOnlyJudge;
import org.crsaug.scorer.ScorerService;
import org.crsaug.scorer.student.StudentJudge;
import org.crsaug.scorer.llm.LlmJudge;
import org.crsaug.scorer.student.StudentFeatures;
import org.crsaug.scorer.student.StudentModel;

/**
 * Throughput of the scorer against a local fake OpenAI-compatible server: pairs/s with 1, 2 and 4
 * replicas (scorer services in one consumer group, in this process), the request rate achieved under
 * a requests/min budget, the student's CPU scoring rate, and the LLM calls a replay makes. Each
 * measurement runs in fresh topics (its own prefix) so none sees another's records or cache.
 */
public final class ScorerBench {

    private static final int CANDIDATES_PER_CONTEXT = ScorerInputs.CANDIDATES_PER_CONTEXT;
    private final Platform platform;
    private final PrintStream out;

    public ScorerBench(Platform platform, PrintStream out) {
        this.platform = platform;
        this.out = out;
    }

    /** Settings of one run. */
    public record Options(long latencyMs, int contexts, int repeats, int limitPerMinute, int limitedContexts,
            boolean cpuOnly) {
    }

    /** How fast one run went and what CPU the scorer's own threads spent on it. */
    record Run(double pairsPerSecond, int contexts, ThreadCpu.Delta cpu, double firstPairSeconds,
            double judgeWallMsPerContext) {
        double scorerCpuMsPerContext() {
            return cpu.scorerNanos() / 1e6 / contexts;
        }
    }

    /** Wall time spent inside judge() so far, over every replica of this process (the crs.judge.seconds timer). */
    private static double[] judgeWall(String judgeId) {
        io.micrometer.core.instrument.Timer t = org.crsaug.platform.metrics.CrsMetrics.registry()
                .find("crs.judge.seconds").tag("judge", judgeId).timer();
        return t == null ? new double[] {0, 0}
                : new double[] {t.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS), t.count()};
    }

    /** Makes one replica's judge; {@code ready} is waited for before the clock starts. */
    interface JudgeFactory {
        RelevanceJudge create(Platform member);

        default boolean ready(RelevanceJudge judge) {
            return true;
        }
    }

    private static JudgeFactory llm() {
        return member -> LlmJudge.fromConfig(member.config(), Map.of("OPENAI_API_KEY", "sk-bench"));
    }

    /**
     * CPU time per context of the scorer's own threads ({@link ThreadCpu#SCORER}: stream, global and
     * Kafka client threads, the LLM pool, OkHttp, the journal's producer), one replica, for each judge;
     * the broker, registry and fake server run in this JVM too but on threads that are not counted.
     */
    private void cpuPerContext(FakeChatServer server, Options o) throws Exception {
        out.printf("scorer CPU per context: per-thread CPU (ThreadMXBean) of the scorer replica's threads only (not the"
                + " broker's, the registry's or the fake server's), from publishing to the last committed pair, 1"
                + " replica, %d contexts x %d candidates, one discarded warm-up run, median of %d%n", o.contexts(),
                CANDIDATES_PER_CONTEXT, o.repeats());
        Map<String, JudgeFactory> judges = new java.util.LinkedHashMap<>();
        judges.put(LlmJudge.ID + " (fake server " + o.latencyMs() + " ms)", llm());
        judges.put(RetrievalOnlyJudge.ID, member -> new RetrievalOnlyJudge(5));
        judges.put(StudentJudge.ID, new StudentBench());
        int n = 0;
        for (Map.Entry<String, JudgeFactory> j : judges.entrySet()) {
            n++;
            pairsPerSecond(server, "bench-cw" + n + "-", 1, Math.max(8, o.contexts() / 4), 100_000, 1, j.getValue());
            double[] cpu = new double[o.repeats()];
            double[] rates = new double[o.repeats()];
            Run last = null;
            for (int r = 0; r < o.repeats(); r++) {
                last = pairsPerSecond(server, "bench-c" + n + "-" + r + "-", 1, o.contexts(), 100_000, 1,
                        j.getValue());
                cpu[r] = last.scorerCpuMsPerContext();
                rates[r] = last.pairsPerSecond();
            }
            out.printf("  %-32s scorer CPU median %.2f ms/context (runs %s), %.1f pairs/s; last run: whole process"
                    + " %.1f ms/context, of which not counted %.1f; scorer threads (ms): %s; not counted (ms): %s%n",
                    j.getKey(), Stats.median(cpu), Arrays.toString(Stats.round1(cpu)), Stats.median(rates),
                    last.cpu().processNanos() / 1e6 / last.contexts(), last.cpu().otherNanos() / 1e6 / last.contexts(),
                    scorerTop(last.cpu()), otherTop(last.cpu()));
        }
    }

    private static Map<String, Long> scorerTop(ThreadCpu.Delta d) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        d.top(40).forEach((k, v) -> {
            if (k.startsWith("scorer: ") && m.size() < 6) {
                m.put(k.substring(8), v);
            }
        });
        return m;
    }

    private static Map<String, Long> otherTop(ThreadCpu.Delta d) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        d.top(40).forEach((k, v) -> {
            if (k.startsWith("other: ") && m.size() < 4) {
                m.put(k.substring(7), v);
            }
        });
        return m;
    }

    public void run(Options o) throws Exception {
        try (FakeChatServer server = new FakeChatServer()) {
            server.latencyMs(o.latencyMs()).responder(FakeChatServer::chainOfThoughtReply);
            out.printf("fake chat server: %d ms per reply, %d candidates per context, one request per context;"
                    + " %d contexts spread evenly over 8 partitions; timed from publishing the candidates (all"
                    + " replicas running) to the last committed scored pair; one discarded warm-up run each%n",
                    o.latencyMs(), CANDIDATES_PER_CONTEXT, o.contexts());
            if (o.cpuOnly()) {
                cpuPerContext(server, o);
                return;
            }
            double single = 0;
            for (int replicas : List.of(1, 2, 4)) {
                pairsPerSecond(server, "bench-w" + replicas + "-", replicas, Math.max(8, o.contexts() / 4), 100_000, 1,
                        llm());
                double[] rates = new double[o.repeats()];
                double[] cpu = new double[o.repeats()];
                double[] firstPair = new double[o.repeats()];
                double[] judgeMs = new double[o.repeats()];
                for (int r = 0; r < o.repeats(); r++) {
                    Run run = pairsPerSecond(server, "bench-r" + replicas + "-" + r + "-", replicas, o.contexts(),
                            100_000, 1, llm());
                    rates[r] = run.pairsPerSecond();
                    cpu[r] = run.scorerCpuMsPerContext();
                    firstPair[r] = run.firstPairSeconds();
                    judgeMs[r] = run.judgeWallMsPerContext();
                }
                double median = Stats.median(rates);
                if (replicas == 1) {
                    single = median;
                }
                out.printf("replicas=%d  pairs/s median %.1f  (runs %s)  speed-up %.2fx  scorer CPU %.1f ms/context"
                        + " (runs %s)  first pair after %.2f s  judge() wall %.0f ms/context  wall per context and"
                        + " replica %.0f ms%n", replicas, median, Arrays.toString(Stats.round(rates)), median / single,
                        Stats.median(cpu), Arrays.toString(Stats.round1(cpu)), Stats.median(firstPair), Stats.median(judgeMs),
                        1000.0 * CANDIDATES_PER_CONTEXT * replicas / median);
            }
            cpuPerContext(server, o);

            server.resetCounts();
            server.limitPerMinute(o.limitPerMinute());
            double pairsRate = pairsPerSecond(server, "bench-limit-", 4, o.limitedContexts(), o.limitPerMinute(), 4,
                    llm()).pairsPerSecond();
            // contexts whose text and candidates repeat come from the cache: count requests, not pairs
            double minutes = o.limitedContexts() * CANDIDATES_PER_CONTEXT / pairsRate / 60;
            double perMinute = server.answered() / minutes;
            out.printf("rate limit %d requests/min on the server and in scorer.llm.requests.per.minute, 4 replicas,"
                    + " scorer.replicas=4, %d contexts: %.0f requests/min (%.1f%% of the limit), %d requests"
                    + " answered, 429 replies: %d%n", o.limitPerMinute(), o.limitedContexts(), perMinute,
                    100 * perMinute / o.limitPerMinute(), server.answered(), server.rateLimitedCount());
            server.limitPerMinute(0);

            server.resetCounts();
            replay(server, "bench-r1-0-", o.contexts());
            out.printf("replay of %d contexts already judged: %d LLM calls%n", o.contexts(), server.requests().size());
        }
        studentThroughput();
    }

    private Platform namespace(FakeChatServer server, String prefix, int rpm, int shares, String member) {
        return ScorerInputs.namespace(platform, server.baseUrl(), prefix, rpm, shares, member);
    }

    /**
     * Starts the replicas, waits until the group is stable, then publishes the candidates and times
     * until the last scored pair is committed, so start-up and rebalances are not counted.
     */
    private Run pairsPerSecond(FakeChatServer server, String prefix, int replicas, int contexts, int rpm,
            int shares, JudgeFactory judges) throws InterruptedException {
        Platform p = namespace(server, prefix, rpm, shares, "producer");
        ScorerInputs.publishItems(p);
        if (judges instanceof StudentBench) {
            StudentBench.publishWorld(p, contexts);
        }
        List<ScorerService> scorers = new ArrayList<>();
        List<Platform> members = new ArrayList<>();
        List<RelevanceJudge> made = new ArrayList<>();
        try {
            for (int i = 0; i < replicas; i++) {
                Platform member = namespace(server, prefix, rpm, shares, "replica-" + i);
                members.add(member);
                RelevanceJudge judge = judges.create(member);
                made.add(judge);
                ScorerService s = ScorerService.create(member, judge);
                s.start();
                scorers.add(s);
            }
            awaitStableGroup(scorers);
            long readyBy = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!made.stream().allMatch(judges::ready)) {
                if (System.nanoTime() > readyBy) {
                    throw new IllegalStateException("The judges were not ready after 5 min");
                }
                Thread.sleep(200);
            }
            String judgeId = made.get(0).id();
            double[] wallBefore = judgeWall(judgeId);
            ThreadCpu before = ThreadCpu.snapshot();
            long started = System.nanoTime();
            ScorerInputs.publishCandidates(p, contexts);
            long first = ScorerInputs.awaitPairs(p, contexts * CANDIDATES_PER_CONTEXT);
            double rate = contexts * CANDIDATES_PER_CONTEXT / ((System.nanoTime() - started) / 1e9);
            ThreadCpu.Delta cpu = ThreadCpu.snapshot().since(before);
            double[] wallAfter = judgeWall(judgeId);
            double judged = wallAfter[1] - wallBefore[1];
            return new Run(rate, contexts, cpu, (first - started) / 1e9,
                    judged > 0 ? (wallAfter[0] - wallBefore[0]) / judged : 0);
        } finally {
            scorers.forEach(ScorerService::stop);
            members.forEach(Platform::close);
            p.close();
        }
    }

    /** Every replica RUNNING, twice in a row a second apart: joins have settled. */
    private static void awaitStableGroup(List<ScorerService> scorers) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        int stable = 0;
        while (stable < 2) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Scorer replicas did not settle into a stable group in 2 min");
            }
            boolean all = scorers.stream().allMatch(ScorerService::isReady);
            stable = all ? stable + 1 : 0;
            Thread.sleep(1000);
        }
    }

    private void replay(FakeChatServer server, String prefix, int contexts) throws InterruptedException {
        Platform p = namespace(server, prefix, 100_000, 1, "replay");
        ScorerInputs.publishItems(p);
        ScorerInputs.publishCandidates(p, contexts);
        ScorerService s = ScorerService.create(p, LlmJudge.fromConfig(p.config(), Map.of("OPENAI_API_KEY", "sk-bench")));
        s.start();
        try {
            ScorerInputs.awaitPairs(p, 2 * contexts * CANDIDATES_PER_CONTEXT);
        } finally {
            s.stop();
            p.close();
        }
    }

    private void studentThroughput() {
        int dim = 384;
        int pairs = 50;
        Random rng = new Random(3);
        float[][] x = new float[2000][];
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float[] c = new float[dim];
            float[] it = new float[dim];
            for (int k = 0; k < dim; k++) {
                c[k] = (float) rng.nextGaussian();
                it[k] = (float) rng.nextGaussian();
            }
            x[i] = StudentFeatures.of(c, it, null, List.of());
            y[i] = rng.nextFloat() * 4;
        }
        try (StudentModel m = StudentModel.train(x, y, new float[0][], new float[0],
                new StudentModel.Settings(64, 1, 128, 0.001, 1))) {
            float[][] batch = Arrays.copyOf(x, pairs);
            for (int i = 0; i < 200; i++) {
                m.score(batch);
            }
            double[] rates = new double[5];
            for (int r = 0; r < rates.length; r++) {
                long t = System.nanoTime();
                int n = 0;
                while (System.nanoTime() - t < 1_000_000_000L) {
                    m.score(batch);
                    n += pairs;
                }
                rates[r] = n / ((System.nanoTime() - t) / 1e9);
            }
            out.printf("student scoring on %s, %d-dim embeddings, %d pairs per context: median %.0f pairs/s (runs %s)%n",
                    org.crsaug.model.recommender.DjlRuntime.device(), dim, pairs, Stats.median(rates), Arrays.toString(Stats.round(rates)));
        }
    }
}
