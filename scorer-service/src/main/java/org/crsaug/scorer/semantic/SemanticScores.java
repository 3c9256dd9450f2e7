package org.crsaug.scorer.semantic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Judgement;
import org.crsaug.schema.ScoredPair;
import org.crsaug.scorer.JudgeInputs;
import org.crsaug.scorer.RecommenderCandidates;
import org.crsaug.scorer.RelevanceJudge;
import org.crsaug.scorer.UnusableReplyException;
import org.crsaug.scorer.Verdict;

/**
 * S@k, the method's Table 4: a judge of relevance (the LLM judge or the student, never retrieval-only, which
 * only echoes a retrieval rank) scores a recommender's top k for every test context from 0 to 4, and S@k is
 * the mean of those scores, first over a context's k items, then over contexts. The top k is handed to the
 * judge as a candidates record, so its judgements go through the same cache ({@link JudgeInputs#cached},
 * keyed by model, prompt, context text and item text) and a repeated evaluation pays for nothing.
 */
public final class SemanticScores {

    /** The method's cut-offs. */
    public static final int[] KS = {10, 50};

    /** One test context: its text as the judge reads it and the recommender's items, best first. */
    public record Context(String contextId, String dialogueId, String text, List<String> topItemIds) {
    }

    /**
     * {@code meanAt}: S@k by k; {@code failed}: contexts whose reply the judge could not use even after its
     * repair request (left out of the mean, and counted so a reader sees them); {@code paid}: new judgements.
     */
    public record Result(Map<Integer, Double> meanAt, int contexts, int failed, int paid, String judge) {
    }

    private SemanticScores() {
    }

    /** Judges each context's top {@code max(ks)} items and averages. */
    public static Result score(RelevanceJudge judge, JudgeInputs inputs, List<Context> contexts, int... ks) {
        int maxK = 0;
        for (int k : ks) {
            maxK = Math.max(maxK, k);
        }
        List<float[]> scored = new ArrayList<>();
        int failed = 0;
        int paid = 0;
        for (Context c : contexts) {
            List<String> top = c.topItemIds().subList(0, Math.min(maxK, c.topItemIds().size()));
            List<Candidate> items = new ArrayList<>();
            for (int r = 0; r < top.size(); r++) {
                items.add(Candidate.newBuilder().setItemId(top.get(r)).setRank(r).setRetrievalScore(0f)
                        .setSource("recommender").build());
            }
            Candidates candidates = Candidates.newBuilder().setContextId(c.contextId()).setDialogueId(c.dialogueId())
                    .setEncoderId(RecommenderCandidates.encoderId(null)).setContextText(c.text()).setItems(items).build();
            Verdict verdict;
            try {
                verdict = judge.judge(candidates, inputs);
            } catch (UnusableReplyException e) {
                failed++;
                continue;
            }
            // judges that hand paid judgements to the cache themselves (the LLM judge) leave nothing to do here
            for (Judgement j : verdict.newJudgements()) {
                if (inputs.cached(j.getCacheKey()).isEmpty()) {
                    inputs.remember(List.of(j));
                }
            }
            paid += verdict.newJudgements().size();
            float[] inOrder = new float[top.size()];
            Map<String, Float> byItem = new LinkedHashMap<>();
            for (ScoredPair p : verdict.scores()) {
                byItem.put(p.getItemId(), p.getScore());
            }
            for (int r = 0; r < top.size(); r++) {
                Float s = byItem.get(top.get(r));
                if (s == null) {
                    throw new IllegalStateException("Judge " + judge.id() + " gave no score for " + top.get(r)
                            + " of " + c.contextId());
                }
                inOrder[r] = s;
            }
            scored.add(inOrder);
        }
        Map<Integer, Double> means = new LinkedHashMap<>();
        for (int k : ks) {
            means.put(k, meanAt(scored, k));
        }
        return new Result(means, contexts.size(), failed, paid, describe(judge));
    }

    /** The judge as reports name it: id, then model or version and prompt version. */
    public static String describe(RelevanceJudge judge) {
        String prompt = judge.promptVersion().isEmpty() ? "" : ", prompt " + judge.promptVersion();
        return judge.id() + " (" + judge.version() + prompt + ")";
    }

    /**
     * Mean over contexts of the mean score of each context's first k items (all of them when it has fewer,
     * as in a catalogue smaller than k); contexts with no items do not count. NaN when nothing was scored.
     */
    public static double meanAt(List<float[]> scoresInRankOrder, int k) {
        double sum = 0;
        int n = 0;
        for (float[] s : scoresInRankOrder) {
            int m = Math.min(k, s.length);
            if (m == 0) {
                continue;
            }
            double c = 0;
            for (int i = 0; i < m; i++) {
                c += s[i];
            }
            sum += c / m;
            n++;
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
