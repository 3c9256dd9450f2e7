package org.crsaug.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The dashboard's reading of this process's meter registry ({@code CrsMetrics}): judge latency per judge
 * and LLM calls, tokens and cost per purpose and model, the same meters {@code /metrics} exports
 * ({@code crs_judge_seconds}, {@code crs_llm_*}, see docs/metrics.md). They count what ran in this process:
 * all of it under {@code crs up}, only the reply writer's calls under a {@code crs serve} next to separately
 * run services (whose own {@code /metrics} endpoints have the rest).
 */
final class DashboardMetrics {

    /** Contexts judged, and the mean and recent maximum seconds per context (Micrometer's decaying max). */
    record JudgeLatency(String judge, long contexts, double meanSeconds, double maxSeconds) {
    }

    /** One purpose and model: requests by outcome ({@code ok}, {@code failed}, {@code rate_limited}). */
    record LlmSpend(String purpose, String model, Map<String, Long> calls, long promptTokens,
                    long completionTokens, double costUsd) {
    }

    record Snapshot(List<JudgeLatency> judges, List<LlmSpend> llm) {
    }

    private DashboardMetrics() {
    }

    static Snapshot read(MeterRegistry registry) {
        List<JudgeLatency> judges = new ArrayList<>();
        for (Timer t : registry.find("crs.judge.seconds").timers()) {
            judges.add(new JudgeLatency(t.getId().getTag("judge"), t.count(), t.mean(TimeUnit.SECONDS),
                    t.max(TimeUnit.SECONDS)));
        }
        judges.sort(java.util.Comparator.comparing(JudgeLatency::judge));
        Map<String, Spend> spend = new TreeMap<>();
        for (Counter c : registry.find("crs.llm.calls").counters()) {
            spend(spend, c).calls.merge(c.getId().getTag("outcome"), (long) c.count(), Long::sum);
        }
        for (Counter c : registry.find("crs.llm.tokens").counters()) {
            Spend s = spend(spend, c);
            if ("prompt".equals(c.getId().getTag("type"))) {
                s.promptTokens += (long) c.count();
            } else {
                s.completionTokens += (long) c.count();
            }
        }
        for (Counter c : registry.find("crs.llm.cost.usd").counters()) {
            spend(spend, c).costUsd += c.count();
        }
        List<LlmSpend> llm = new ArrayList<>();
        spend.values().forEach(s -> llm.add(new LlmSpend(s.purpose, s.model, s.calls, s.promptTokens,
                s.completionTokens, s.costUsd)));
        return new Snapshot(judges, llm);
    }

    private static Spend spend(Map<String, Spend> spend, Counter c) {
        String purpose = c.getId().getTag("purpose");
        String model = c.getId().getTag("model");
        return spend.computeIfAbsent(purpose + "\u0000" + model, k -> new Spend(purpose, model));
    }

    /** Sums for one purpose and model while the meters are read. */
    private static final class Spend {
        final String purpose;
        final String model;
        final Map<String, Long> calls = new TreeMap<>();
        long promptTokens;
        long completionTokens;
        double costUsd;

        Spend(String purpose, String model) {
            this.purpose = purpose;
            this.model = model;
        }
    }
}
