package org.crsaug.scorer.llm;

import java.util.concurrent.atomic.AtomicLong;

/** Running counters of what the LLM judge has spent, readable at any time by any thread. */
public final class LlmUsage {

    private final double inputPricePerMTok;
    private final double outputPricePerMTok;
    final AtomicLong calls = new AtomicLong();
    final AtomicLong failedCalls = new AtomicLong();
    final AtomicLong rateLimited = new AtomicLong();
    final AtomicLong repairs = new AtomicLong();
    final AtomicLong promptTokens = new AtomicLong();
    final AtomicLong completionTokens = new AtomicLong();
    final AtomicLong cacheHits = new AtomicLong();
    final AtomicLong judgedPairs = new AtomicLong();

    public LlmUsage(double inputPricePerMTok, double outputPricePerMTok) {
        this.inputPricePerMTok = inputPricePerMTok;
        this.outputPricePerMTok = outputPricePerMTok;
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
