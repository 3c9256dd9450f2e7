package org.crsaug.scorer.zeroshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.crsaug.model.recommender.EvalContext;
import org.crsaug.model.training.Catalogue;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.schema.Item;
import org.crsaug.testkit.FakeChatServer;
import org.junit.jupiter.api.Test;

/** The zero-shot LLM baseline against the fake OpenAI-compatible server, with answers known in advance. */
class ZeroShotEvaluationTest {

    private static final String[][] MOVIES = {{"Heat", "1995"}, {"Alien", "1979"}, {"Se7en", "1995"},
            {"The Matrix", "1999"}, {"Heat", "1986"}};

    @Test
    void titlesAreMappedLikeTheJudgesNamesAndBadRepliesAreCountedNotFatal() throws Exception {
        Map<String, Item> items = new HashMap<>();
        for (int i = 0; i < MOVIES.length; i++) {
            items.put("m:" + i, Item.newBuilder().setItemId("m:" + i).setDataset("m").setTitle(MOVIES[i][0])
                    .setYear(Integer.parseInt(MOVIES[i][1])).build());
        }
        Catalogue catalogue = new Catalogue(List.of("m:0", "m:1", "m:2", "m:3", "m:4"));
        try (FakeChatServer server = new FakeChatServer()) {
            server.responder(r -> {
                String user = r.lastUser();
                if (user.contains("ONE")) {
                    // an unknown title, a repeat in other spelling, an item the dialogue mentioned, then the gold
                    return "Here you go:\n{\"recommendations\": [\"Heat (1995)\", \"Nonexistent Film (2001)\","
                            + " \"heat (1995)\", \"Alien (1979)\", \"Se7en (1995)\"]}";
                }
                if (user.contains("TWO")) {
                    return "Sorry, I would rather not say.";
                }
                if (user.contains("THREE")) {
                    return "{\"recommendations\": []}";
                }
                // a bare array in a code fence; "Heat" alone names two catalogue items and so matches neither
                return "```json\n[\"Heat\", \"matrix, the (1999)\", \"Alien (1979)\"]\n```";
            });
            CrsConfig config = CrsConfig.defaults().with("scorer.llm.base.url", server.baseUrl());
            // gold: Se7en, Heat 1995, Heat 1995, Alien; the first dialogue already mentioned Alien
            List<EvalContext> contexts = List.of(ctx(new int[] {2}, new int[] {1}), ctx(new int[] {0}, new int[0]),
                    ctx(new int[] {0}, new int[0]), ctx(new int[] {1, 1}, new int[0]));
            List<String> dialogues = List.of("Seeker: ONE, I liked Alien", "Seeker: TWO", "Seeker: THREE",
                    "Seeker: FOUR");

            ZeroShotEvaluation.Result result;
            try (ZeroShotRecommender llm = ZeroShotRecommender.fromConfig(config, Map.of("OPENAI_API_KEY", "sk-x"))) {
                result = new ZeroShotEvaluation(catalogue, items).score(llm.ask(dialogues), contexts);
                assertThat(llm.promptVersion()).startsWith("zero-shot-v1@");
                assertThat(llm.usage().calls()).isEqualTo(4);
            }

            // the dialogue is sent as quoted data with the number of titles asked; nothing else is shown.
            // Contexts are asked in parallel, so the server may have seen them in any order.
            assertThat(server.requests()).hasSize(4);
            assertThat(server.requests()).filteredOn(r -> r.lastUser().contains("ONE")).singleElement()
                    .satisfies(r -> assertThat(r.lastUser()).contains("<<<CONVERSATION\nSeeker: ONE, I liked Alien\n"
                    + "CONVERSATION>>>", "Recommend 20 movies"));
            // ONE: Heat, Se7en after removing the unknown, the repeat and the mentioned Alien: gold at rank 2.
            // TWO and THREE: nothing. FOUR: Matrix, Alien: gold at rank 2, counted once although listed twice.
            assertThat(result.ranks()).containsExactly(1, Integer.MAX_VALUE, Integer.MAX_VALUE, 1);
            assertThat(result.recall().get("recall@1")).isZero();
            assertThat(result.recall().get("recall@5")).isCloseTo(0.5, within(1e-9));
            assertThat(result.recall().get("recall@10")).isCloseTo(0.5, within(1e-9));
            assertThat(result.counts()).isEqualTo(new ZeroShotEvaluation.Counts(4, 1, 1, 8, 2, 1, 1));
        }
    }

    @Test
    void repliesAreReadTolerantlyAndWhatCannotBeReadIsAStatus() {
        assertThat(TitleListReply.parse("{\"movies\": [{\"title\": \"Heat\", \"year\": 1995}, \"Alien\"]}").titles())
                .containsExactly("Heat (1995)", "Alien");
        assertThat(TitleListReply.parse("  ").status()).isEqualTo(TitleListReply.Status.EMPTY);
        assertThat(TitleListReply.parse("[1, 2]").status()).isEqualTo(TitleListReply.Status.EMPTY);
        assertThat(TitleListReply.parse("{\"answer\": \"Heat\"}").status()).isEqualTo(TitleListReply.Status.NOT_JSON);
        assertThat(TitleListReply.parse("{\"recommendations\": [\"Heat (1995)\"").status())
                .isEqualTo(TitleListReply.Status.NOT_JSON);
    }

    private static EvalContext ctx(int[] gold, int[] mentioned) {
        return new EvalContext(new float[] {1f}, gold, mentioned);
    }
}
