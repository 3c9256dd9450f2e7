package org.crsaug.scorer;

import java.util.List;
import org.crsaug.schema.Judgement;
import org.crsaug.schema.ScoredPair;

/**
 * A judge's answer for one context: a score per candidate, plus the judgements it newly paid for,
 * which the scorer writes to the cache topic in the same transaction as the scores.
 */
public record Verdict(List<ScoredPair> scores, List<Judgement> newJudgements) {

    public static Verdict uncached(List<ScoredPair> scores) {
        return new Verdict(scores, List.of());
    }
}
