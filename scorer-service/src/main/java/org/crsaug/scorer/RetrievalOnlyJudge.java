package org.crsaug.scorer;

import java.util.ArrayList;
import java.util.List;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.ScoredPair;

/**
 * The "without scorer" ablation of the method: no relevance judgement at all, the retriever's
 * ranking decides. The best {@code topN} candidates get the full score 4 and so pass any threshold;
 * the rest fall linearly from 3 towards 0 by rank and never do.
 */
public final class RetrievalOnlyJudge implements RelevanceJudge {

    public static final String ID = "retrieval-only";
    private final int topN;

    public RetrievalOnlyJudge(int topN) {
        if (topN < 0) {
            throw new IllegalArgumentException("scorer.retrieval.top.n must not be negative, got " + topN);
        }
        this.topN = topN;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String version() {
        return "top" + topN;
    }

    @Override
    public Verdict judge(Candidates candidates, JudgeInputs inputs) {
        List<Candidate> items = new ArrayList<>(candidates.getItems());
        items.sort(java.util.Comparator.comparingInt(Candidate::getRank));
        List<ScoredPair> out = new ArrayList<>(items.size());
        for (int position = 0; position < items.size(); position++) {
            float score = position < topN ? 4f : 3f * (items.size() - position) / items.size();
            out.add(ScoredPair.newBuilder()
                    .setContextId(candidates.getContextId())
                    .setItemId(items.get(position).getItemId())
                    .setScore(score)
                    .setJudgeId(id())
                    .setJudgeVersion(version())
                    .build());
        }
        return Verdict.uncached(out);
    }
}
