package org.crsaug.model.llm;

import io.micrometer.core.instrument.Counter;
import java.util.concurrent.atomic.AtomicLong;
import org.crsaug.platform.metrics.CrsMetrics;

/**
 * Running counters of what an LLM client has spent, readable at any time by any thread, and mirrored
 * to the process's Prometheus meters ({@code crs_llm_*}, tagged by purpose and model) so the cost of a
 * run can be watched while it happens. The meters add up over every client of the same purpose and
 * model in the process; the fields here count this client only.
 */
public final class LlmUsage {

    /** What the calls are for: judging relevance, writing the serving reply, or recommending zero-shot. */
    public static final String JUDGE = "judge";
    public static final String REPLY = "reply";
    /** Recommending from the dialogue alone: the zero-shot baseline of {@code crs evaluate --zero-shot}. */
    public static final String ZERO_SHOT = "zero-shot";
    /** Playing the seeker of a simulated conversation: {@code crs simulate --simulator llm}. */
    public static final String SEEKER = "seeker";
    /** How the tokens were bought: chat calls, or Batch API lines at the batch price. */
    public static final String ONLINE = "online";
    public static final String BATCH = "batch";

    private final double inputPricePerMTok;
    private final double outputPricePerMTok;
    final AtomicLong calls = new AtomicLong();
    final AtomicLong failedCalls = new AtomicLong();
    final AtomicLong rateLimited = new AtomicLong();
    private final AtomicLong repairs = new AtomicLong();
    final AtomicLong promptTokens = new AtomicLong();
    final AtomicLong completionTokens = new AtomicLong();
    private final AtomicLong cacheHits = new AtomicLong();
    private final AtomicLong judgedPairs = new AtomicLong();

    private final Counter promptTokenMeter;
    private final Counter completionTokenMeter;
    private final Counter costMeter;
    private final Counter answeredMeter;
    private final Counter failedMeter;
    private final Counter rateLimitedMeter;

    public LlmUsage(String purpose, String model, double inputPricePerMTok, double outputPricePerMTok) {
        this(purpose, model, inputPricePerMTok, outputPricePerMTok, ONLINE);
    }

    /** @param mode {@link #ONLINE} or {@link #BATCH}; the prices are those of that mode */
    public LlmUsage(String purpose, String model, double inputPricePerMTok, double outputPricePerMTok, String mode) {
        this.inputPricePerMTok = inputPricePerMTok;
        this.outputPricePerMTok = outputPricePerMTok;
        var registry = CrsMetrics.registry();
        this.promptTokenMeter = Counter.builder("crs.llm.tokens").description("Tokens the LLM endpoint reported")
                .tags("purpose", purpose, "model", model, "type", "prompt").register(registry);
        this.completionTokenMeter = Counter.builder("crs.llm.tokens")
                .description("Tokens the LLM endpoint reported")
                .tags("purpose", purpose, "model", model, "type", "completion").register(registry);
        this.costMeter = Counter.builder("crs.llm.cost.usd")
                .description("Estimated spend from reported tokens and the configured prices per million tokens")
                .tags("purpose", purpose, "model", model, "mode", mode).register(registry);
        this.answeredMeter = Counter.builder("crs.llm.calls").description("LLM requests by outcome")
                .tags("purpose", purpose, "model", model, "outcome", "ok").register(registry);
        this.failedMeter = Counter.builder("crs.llm.calls").description("LLM requests by outcome")
                .tags("purpose", purpose, "model", model, "outcome", "failed").register(registry);
        this.rateLimitedMeter = Counter.builder("crs.llm.calls").description("LLM requests by outcome")
                .tags("purpose", purpose, "model", model, "outcome", "rate_limited").register(registry);
    }

    /** An answered request and the tokens it reported. */
    void answered(long prompt, long completion) {
        calls.incrementAndGet();
        promptTokens.addAndGet(prompt);
        completionTokens.addAndGet(completion);
        answeredMeter.increment();
        promptTokenMeter.increment(prompt);
        completionTokenMeter.increment(completion);
        costMeter.increment(prompt / 1e6 * inputPricePerMTok + completion / 1e6 * outputPricePerMTok);
    }

    /** A request that got no usable answer; a 429 counts both as failed and as rate limited here. */
    void failed(boolean wasRateLimited) {
        failedCalls.incrementAndGet();
        if (wasRateLimited) {
            rateLimited.incrementAndGet();
            rateLimitedMeter.increment();
        } else {
            failedMeter.increment();
        }
    }

    /** A reply that had to be asked for again because it left scores out or was not JSON. */
    public void recordRepair() {
        repairs.incrementAndGet();
    }

    /** A pair answered from the judgement cache, at no cost. */
    public void recordCacheHit() {
        cacheHits.incrementAndGet();
    }

    /** Pairs the LLM itself scored (cache hits are not among them). */
    public void recordJudgedPairs(long pairs) {
        judgedPairs.addAndGet(pairs);
    }

    /** HTTP requests that got an answer (a 429 or 5xx counts as failed, not here). */
    public long calls() {
        return calls.get();
    }

    public long failedCalls() {
        return failedCalls.get();
    }

    public long rateLimited() {
        return rateLimited.get();
    }

    public long repairs() {
        return repairs.get();
    }

    public long promptTokens() {
        return promptTokens.get();
    }

    public long completionTokens() {
        return completionTokens.get();
    }

    public long cacheHits() {
        return cacheHits.get();
    }

    public long judgedPairs() {
        return judgedPairs.get();
    }

    public double estimatedCostUsd() {
        return promptTokens.get() / 1e6 * inputPricePerMTok + completionTokens.get() / 1e6 * outputPricePerMTok;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "calls=%d failed=%d rateLimited=%d repairs=%d promptTokens=%d completionTokens=%d"
                        + " cacheHits=%d judgedPairs=%d estimatedCost=$%.4f",
                calls(), failedCalls(), rateLimited(), repairs(), promptTokens(), completionTokens(), cacheHits(),
                judgedPairs(), estimatedCostUsd());
    }
}
