package org.crsaug.scorer.semantic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Item;
import org.crsaug.scorer.Judges;
import org.crsaug.scorer.RelevanceJudge;
import org.crsaug.testkit.FakeChatServer;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** S@k: the mean a judge of relevance gives a recommender's top k, through the judgement cache. */
class SemanticScoresTest {

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Test
    void theMeanOfTheTopKIsAveragedPerContextThenOverContexts() {
        // context 1 scores 4, 3, 2 down its list; context 2 scores 1, 1 (its catalogue held two items)
        List<float[]> scores = List.of(new float[] {4, 3, 2}, new float[] {1, 1}, new float[0]);
        // S@1 = (4 + 1) / 2; S@2 = (3.5 + 1) / 2; S@10 = (3 + 1) / 2: a short list counts what it has,
        // and a context without items does not count at all
        assertThat(SemanticScores.meanAt(scores, 1)).isCloseTo(2.5, within(1e-9));
        assertThat(SemanticScores.meanAt(scores, 2)).isCloseTo(2.25, within(1e-9));
        assertThat(SemanticScores.meanAt(scores, 10)).isCloseTo(2.0, within(1e-9));
        assertThat(SemanticScores.meanAt(List.of(), 10)).isNaN();
    }

    @Test
    void retrievalOnlyIsNotAJudgeOfRelevance() {
        assertThatThrownBy(() -> Judges.forSemanticScores(null, "retrieval-only", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("llm or student");
    }

    @Test
    void theLlmJudgeScoresTheTopItemsOnceAndARepeatedEvaluationMakesNoCalls() throws Exception {
        try (FakeChatServer server = new FakeChatServer()) {
            Platform platform = kafka.platform(Map.of("topic.prefix", "sk-", "scorer.llm.base.url", server.baseUrl(),
                    "scorer.llm.batch.size", "5"));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                ids.add("m:" + i);
                TestKafka.send(platform, Topics.ITEMS, "m:" + i, Item.newBuilder().setItemId("m:" + i).setDataset("m")
                        .setTitle("Film Number " + i).setYear(2000 + i).build());
            }
            // two contexts with 12 and 3 recommended items, and one whose replies the judge cannot use
            server.responder(r -> r.firstUser().contains("BROKEN") ? "no idea, sorry"
                    : FakeChatServer.chainOfThoughtReply(r));
            List<SemanticScores.Context> contexts = List.of(
                    new SemanticScores.Context("d1#1", "d1", "Seeker: something tense", ids),
                    new SemanticScores.Context("d2#1", "d2", "Seeker: something light", ids.subList(9, 12)),
                    new SemanticScores.Context("d3#1", "d3", "Seeker: BROKEN", ids.subList(0, 2)));

            SemanticScores.Result first = evaluate(platform, contexts);

            // by hand: the fake judge's score of an item is scoreFor(its shown name)
            double first10 = mean(0, 10);
            double second = mean(9, 12);
            assertThat(first.meanAt().get(10)).isCloseTo((first10 + second) / 2, within(1e-6));
            assertThat(first.meanAt().get(50)).isCloseTo((mean(0, 12) + second) / 2, within(1e-6));
            assertThat(first.contexts()).isEqualTo(3);
            assertThat(first.failed()).isEqualTo(1);
            assertThat(first.paid()).isEqualTo(15);
            assertThat(first.judge()).startsWith("llm (").contains("prompt relevance-v1@");
            assertThat(server.answered()).isPositive();

            // a second evaluation, in a new judge and a new read of the cache topic, pays for nothing: only
            // the context with no usable reply (it has nothing in the cache) asks again
            server.resetCounts();
            SemanticScores.Result again = evaluate(platform, contexts.subList(0, 2));
            assertThat(server.requests()).isEmpty();
            assertThat(again.paid()).isZero();
            assertThat(again.meanAt()).isEqualTo(first.meanAt());
        }
    }

    private static SemanticScores.Result evaluate(Platform platform, List<SemanticScores.Context> contexts) {
        try (RelevanceJudge judge = Judges.forSemanticScores(platform, "llm", Map.of("OPENAI_API_KEY", "sk-test"));
                PublishedJudgeInputs inputs = new PublishedJudgeInputs(platform, "sk-test")) {
            return SemanticScores.score(judge, inputs, contexts, SemanticScores.KS);
        }
    }

    /** The fake judge's mean score of items from..to-1, as the judge is shown them ("Film Number i (year)"). */
    private static double mean(int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += FakeChatServer.scoreFor("Film Number " + i + " (" + (2000 + i) + ")");
        }
        return sum / (to - from);
    }
}
