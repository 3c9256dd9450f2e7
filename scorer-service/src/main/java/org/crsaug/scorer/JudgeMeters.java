package org.crsaug.scorer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import org.crsaug.platform.metrics.CrsMetrics;
import org.crsaug.platform.metrics.StageMeters;
import org.crsaug.schema.ScoredPair;

/**
 * The scorer's meters for one judge. Latency is per context (one {@code judge} call), published as a
 * histogram rather than client-side percentiles, because percentiles computed in each replica cannot be
 * combined; {@code histogram_quantile(0.99, sum by (le, judge) (rate(crs_judge_seconds_bucket[5m])))}
 * gives the percentile over every replica. Cache hits are pairs answered from the judgement cache;
 * misses are pairs the judge computed and wrote to the cache (judges without a cache count neither).
 * The hit rate is left to Prometheus: {@code rate(hits) / (rate(hits) + rate(misses))}.
 */
record JudgeMeters(Timer latency, Counter cacheHits, Counter cacheMisses, Counter ok, Counter deadLettered) {

    static JudgeMeters of(String judgeId) {
        var registry = CrsMetrics.registry();
        return new JudgeMeters(
                Timer.builder("crs.judge.seconds").description("Time to judge all candidates of one context")
                        .tag("judge", judgeId)
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofMillis(1))
                        .maximumExpectedValue(Duration.ofMinutes(5))
                        .register(registry),
                Counter.builder("crs.judgement.cache.hits").description("Pairs scored from the judgement cache")
                        .tag("judge", judgeId).register(registry),
                Counter.builder("crs.judgement.cache.misses")
                        .description("Pairs the judge computed and added to the judgement cache")
                        .tag("judge", judgeId).register(registry),
                StageMeters.records(JudgeProcessor.STAGE, StageMeters.OK),
                StageMeters.records(JudgeProcessor.STAGE, StageMeters.DEAD_LETTER));
    }

    void count(List<ScoredPair> scores, int fresh) {
        long hits = scores.stream().filter(ScoredPair::getFromCache).count();
        cacheHits.increment(hits);
        cacheMisses.increment(fresh);
        ok.increment();
    }
}
