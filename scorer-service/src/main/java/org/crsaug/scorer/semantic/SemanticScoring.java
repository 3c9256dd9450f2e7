package org.crsaug.scorer.semantic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.RetrievalText;
import org.crsaug.model.eval.TopItems;
import org.crsaug.model.recommender.EvalContext;
import org.crsaug.model.training.Catalogue;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.scorer.JudgeInputs;
import org.crsaug.scorer.Judges;
import org.crsaug.scorer.RelevanceJudge;

/**
 * S@k of checkpoints on one platform: the chosen judge and the published cache, opened once and used for
 * every checkpoint an evaluation or an experiment scores. A context's text is the one the retriever gives
 * the judge ({@link RetrievalText#dialogue} at {@code retriever.context.max.chars}), so a pair judged during
 * augmentation is not paid for again.
 */
public final class SemanticScoring implements AutoCloseable {

    private final Platform platform;
    private final RelevanceJudge judge;
    private final int maxChars;
    /** Read at the first checkpoint, not at opening: an experiment opens this before it ingests the items. */
    private PublishedJudgeInputs inputs;

    private SemanticScoring(Platform platform, RelevanceJudge judge, int maxChars) {
        this.platform = platform;
        this.judge = judge;
        this.maxChars = maxChars;
    }

    /**
     * @param judgeName   {@code llm} or {@code student}
     * @param environment where the LLM's key is read from (the variable {@code scorer.llm.api.key.env} names)
     */
    public static SemanticScoring open(Platform platform, String judgeName, Map<String, String> environment) {
        int maxChars = platform.config().getInt("retriever.context.max.chars");
        return new SemanticScoring(platform, Judges.forSemanticScores(platform, judgeName, environment), maxChars);
    }

    /**
     * S@10 and S@50 of one checkpoint's scores.
     *
     * @param sources   the dialogue context of each row of {@code scores}, as {@code ExampleSets.evalContexts} keeps them
     * @param encoderId the encoder of {@code eval}'s context vectors, handed to judges that read vectors (the
     *                  student), so contexts of a file, which are on no topic, can be judged too
     */
    public SemanticScores.Result score(Catalogue catalogue, List<DialogueContext> sources, List<EvalContext> eval,
            float[][] scores, String encoderId) {
        int maxK = SemanticScores.KS[SemanticScores.KS.length - 1];
        List<SemanticScores.Context> contexts = new ArrayList<>();
        Map<String, JudgeInputs.ContextVector> vectors = new HashMap<>();
        for (int i = 0; i < eval.size(); i++) {
            DialogueContext c = sources.get(i);
            vectors.put(c.contextId(), new JudgeInputs.ContextVector(encoderId, eval.get(i).context(),
                    c.mentionedInOrder()));
            List<String> top = new ArrayList<>();
            for (int p : TopItems.of(scores[i], eval.get(i).excludedItems(), maxK)) {
                top.add(catalogue.itemId(p));
            }
            contexts.add(new SemanticScores.Context(c.contextId(), c.dialogueId(), RetrievalText.dialogue(c, maxChars),
                    top));
        }
        if (inputs == null) {
            inputs = new PublishedJudgeInputs(platform, "crs-semantic-score");
        }
        return SemanticScores.score(judge, inputs.withContexts(vectors), contexts, SemanticScores.KS);
    }

    /** The judge as reports name it: id, model or version, prompt version. */
    public String judgeDescription() {
        return SemanticScores.describe(judge);
    }

    @Override
    public void close() {
        judge.close();
        if (inputs != null) {
            inputs.close();
        }
    }
}
