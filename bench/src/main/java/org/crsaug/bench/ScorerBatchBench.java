package org.crsaug.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.crsaug.model.llm.LlmCosts;
import org.crsaug.model.llm.LlmUsage;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.metrics.CrsMetrics;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Judgement;
import org.crsaug.scorer.ScorerService;
import org.crsaug.scorer.llm.LlmJudge;
import org.crsaug.testkit.FakeChatServer;

/**
 * {@code crs bench scorer --mode batch}: a backlog judged through the Batch API of a local fake server. Per
 * run, in a topic namespace of its own and with a fresh fake server: the request lines of each batch file, the
 * time from starting a scorer on the backlog until every batch is journalled (the stream running) and until
 * every pair is scored, the chat calls made (none expected), and what the same pairs' tokens cost at online and
 * at batch prices. The fake server answers a batch as soon as it is polled in progress, so the times are the
 * scorer's own overhead plus two polls per batch, not the API's hours.
 */
final class ScorerBatchBench {

    private static final int PAIRS_PER_CONTEXT = ScorerInputs.CANDIDATES_PER_CONTEXT;
    private final Platform platform;
    private final PrintStream out;

    ScorerBatchBench(Platform platform, PrintStream out) {
        this.platform = platform;
        this.out = out;
    }

    /** Settings of the batch bench. */
    record Options(int contexts, int maxRequests, long pollMs, int repeats) {
    }

    /** One run's figures. */
    record Run(List<Integer> requestsPerBatch, long judgements, double secondsToJournalled, double secondsToScored,
            int chatCalls, long promptTokens, long completionTokens, double meteredBatchUsd) {
    }

    void run(Options o) throws InterruptedException {
        CrsConfig c = platform.config();
        double in = c.getDouble("scorer.llm.price.input.per.mtok");
        double outPrice = c.getDouble("scorer.llm.price.output.per.mtok");
        double factor = c.getDouble("scorer.llm.batch.price.factor");
        out.printf(java.util.Locale.ROOT, "batch mode against the fake server's Batch API: %d contexts x %d candidates,"
                + " %d candidates per request line, at most %d lines per batch file, polled every %d ms; timed from"
                + " starting a scorer on the published backlog; prices %.3f/%.3f USD per million prompt/completion"
                + " tokens online, x %.2f in batch; %d run(s), each in fresh topics with a fresh fake server%n",
                o.contexts(), PAIRS_PER_CONTEXT, PAIRS_PER_CONTEXT, o.maxRequests(), o.pollMs(), in, outPrice, factor,
                o.repeats());
        double[] journalled = new double[o.repeats()];
        double[] scored = new double[o.repeats()];
        Run last = null;
        for (int r = 0; r < o.repeats(); r++) {
            last = once("bench-batch-" + System.currentTimeMillis() + "-" + r + "-", o);
            journalled[r] = last.secondsToJournalled();
            scored[r] = last.secondsToScored();
        }
        int lines = last.requestsPerBatch().stream().mapToInt(Integer::intValue).sum();
        // a pair two contexts share (same text, same item) is asked for once: judgements can be fewer than pairs
        out.printf(java.util.Locale.ROOT, "batch files: %d, request lines per file: %s (%d lines, %d judgements"
                + " journalled for %d scored pairs)%n", last.requestsPerBatch().size(), last.requestsPerBatch(), lines,
                last.judgements(), o.contexts() * PAIRS_PER_CONTEXT);
        out.printf(java.util.Locale.ROOT, "backlog -> every batch journalled (stream running): median %.2f s (runs %s)%n",
                Stats.median(journalled), Arrays.toString(Stats.round1(journalled)));
        out.printf(java.util.Locale.ROOT, "backlog -> every pair scored: median %.2f s (runs %s), %.0f pairs/s%n",
                Stats.median(scored), Arrays.toString(Stats.round1(scored)),
                o.contexts() * PAIRS_PER_CONTEXT / Stats.median(scored));
        out.printf("chat calls during the last run: %d%n", last.chatCalls());
        double online = (last.promptTokens() * in + last.completionTokens() * outPrice) / 1e6;
        out.printf(java.util.Locale.ROOT, "cost of the same pairs (%d prompt + %d completion tokens, as the fake server"
                + " counts them): at online prices $%.6f, at batch prices $%.6f (the cost meter counted $%.6f under"
                + " mode=batch), %.0f%% saved%n", last.promptTokens(), last.completionTokens(), online, online * factor,
                last.meteredBatchUsd(), online > 0 ? 100 * (1 - factor) : 0);
    }

    private Run once(String prefix, Options o) throws InterruptedException {
        try (FakeChatServer server = new FakeChatServer().responder(FakeChatServer::chainOfThoughtReply)) {
            Map<String, String> batch = Map.of("scorer.judge", LlmJudge.ID, "scorer.llm.mode", "batch",
                    "scorer.llm.batch.max.requests", Integer.toString(o.maxRequests()),
                    "scorer.llm.batch.poll.ms", Long.toString(o.pollMs()));
            Platform p = ScorerInputs.namespace(platform, server.baseUrl(), prefix, 100_000, 1, "batch", batch);
            ScorerService scorer = null;
            try {
                ScorerInputs.publishItems(p);
                ScorerInputs.publishCandidates(p, o.contexts());
                LlmCosts costsBefore = LlmCosts.now();
                long[] tokensBefore = tokens();
                long started = System.nanoTime();
                scorer = ScorerService.create(p, LlmJudge.fromConfig(p.config(), Map.of("OPENAI_API_KEY", "sk-bench")));
                scorer.start();
                long deadline = started + Duration.ofMinutes(10).toNanos();
                while (!scorer.isReady()) {
                    if (scorer.failure() != null) {
                        throw new IllegalStateException("The batch scorer failed: " + scorer.failure(), scorer.failure());
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("The batches were not journalled in 10 min: "
                                + scorer.condition().orElse(""));
                    }
                    Thread.sleep(20);
                }
                long journalled = System.nanoTime();
                ScorerInputs.awaitPairs(p, (long) o.contexts() * PAIRS_PER_CONTEXT);
                long scored = System.nanoTime();
                long[] tokensAfter = tokens();
                long judgements;
                try (TopicFollower<Judgement> journal = new TopicFollower<>(p, Topics.JUDGEMENTS, "bench-batch-journal")) {
                    judgements = journal.catchUp(r -> { }, Duration.ofMinutes(1));
                }
                return new Run(server.batches().requestsPerBatch(), judgements, (journalled - started) / 1e9,
                        (scored - started) / 1e9, server.requests().size(), tokensAfter[0] - tokensBefore[0],
                        tokensAfter[1] - tokensBefore[1], LlmCosts.now().since(costsBefore).usd(LlmUsage.BATCH));
            } finally {
                if (scorer != null) {
                    scorer.stop();
                }
                p.close();
            }
        }
    }

    /** Prompt and completion tokens the judge's meters counted in this process so far. */
    private static long[] tokens() {
        long[] out = new long[2];
        for (io.micrometer.core.instrument.Counter c : CrsMetrics.registry().find("crs.llm.tokens")
                .tag("purpose", LlmUsage.JUDGE).counters()) {
            out["prompt".equals(c.getId().getTag("type")) ? 0 : 1] += (long) c.count();
        }
        return out;
    }
}
