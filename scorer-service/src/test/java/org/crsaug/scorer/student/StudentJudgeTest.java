package org.crsaug.scorer.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.data.embedding.Embeddings;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.EmbeddingKind;
import org.crsaug.schema.Item;
import org.crsaug.schema.ItemFeedback;
import org.crsaug.schema.Role;
import org.crsaug.schema.ScoredPair;
import org.crsaug.schema.Turn;
import org.crsaug.scorer.JudgeInputs;
import org.crsaug.scorer.RecommenderCandidates;
import org.crsaug.scorer.Verdict;
import org.crsaug.scorer.semantic.SemanticScores;
import org.crsaug.model.llm.JudgeUnavailableException;
import org.crsaug.scorer.ScorerService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The student judge on a real embedded cluster with a real DJL model. The world is small and
 * synthetic so the truth is known: a seeker likes a suggestion exactly when it shares the genre of
 * the film the seeker mentioned, and context vectors point at that genre.
 */
class StudentJudgeTest {

    private static final int DIM = 8;
    private static final int GENRES = 4;
    private static final int ITEMS = 40;
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Started once for the class, closed after its last test. */
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    private static int genre(int item) {
        return item % GENRES;
    }

    private static float[] genreVector(int g, Random rng) {
        float[] v = new float[DIM];
        for (int k = 0; k < DIM; k++) {
            v[k] = (float) rng.nextGaussian() * 0.15f;
        }
        v[g] += 1f;
        return v;
    }

    private static void givenItems(Platform p) {
        Random rng = new Random(1);
        for (int i = 0; i < ITEMS; i++) {
            String id = "s:" + i;
            TestKafka.send(p, Topics.ITEMS, id, Item.newBuilder().setItemId(id).setDataset("s")
                    .setTitle("Film " + i).setGenres(List.of("genre" + genre(i))).setHasMetadata(true).build());
            TestKafka.send(p, Topics.EMBEDDINGS, Embeddings.key("e", EmbeddingKind.ITEM, id),
                    Embeddings.record(EmbeddingKind.ITEM, id, "e", "h", genreVector(genre(i), rng)));
        }
    }

    /** Dialogues {@code from..to-1}: the seeker names a film, the recommender suggests another. */
    private static void givenDialogues(Platform p, int from, int to, String split, boolean withFeedback) {
        Random rng = new Random(from * 7L + 3);
        for (int n = from; n < to; n++) {
            int mentioned = rng.nextInt(ITEMS);
            int suggested = (mentioned + 1 + rng.nextInt(ITEMS - 1)) % ITEMS;
            boolean liked = genre(suggested) == genre(mentioned);
            String dialogueId = "s:" + n;
            List<ItemFeedback> feedback = withFeedback
                    ? List.of(ItemFeedback.newBuilder().setItemId("s:" + suggested).setRespondent("seeker")
                            .setSuggested(true).setSeen(false).setLiked(liked).build())
                    : List.of();
            TestKafka.send(p, Topics.DIALOGUES, dialogueId, Dialogue.newBuilder().setDialogueId(dialogueId)
                    .setDataset("s").setSplit(split).setFeedback(feedback).setTurns(List.of(
                            Turn.newBuilder().setRole(Role.SEEKER).setText("I loved Film " + mentioned)
                                    .setMentionedItemIds(List.of("s:" + mentioned)).build(),
                            Turn.newBuilder().setRole(Role.RECOMMENDER).setText("Try Film " + suggested)
                                    .setMentionedItemIds(List.of("s:" + suggested)).build()))
                    .build());
            String contextId = dialogueId + "#1";
            TestKafka.send(p, Topics.EMBEDDINGS, Embeddings.key("e", EmbeddingKind.CONTEXT, contextId),
                    Embeddings.record(EmbeddingKind.CONTEXT, contextId, "e", "h", genreVector(genre(mentioned), rng)));
        }
    }

    // no sampled unrelated items here: in this tiny world a quarter of them share the seeker's genre and
    // would blur the liked/not-liked rule the test checks
    private static StudentJudge.Options options(int minExamples, long readyTimeoutMs) {
        return new StudentJudge.Options(StudentJudge.TEACHER_HUMAN, 5,
                new StudentModel.Settings(16, 60, 32, 0.01, 42), 0, minExamples, 0.5, 300, readyTimeoutMs);
    }

    private static Candidates candidatesFor(String contextId, List<Integer> items) {
        List<Candidate> list = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            list.add(Candidate.newBuilder().setItemId("s:" + items.get(i)).setRank(i).setRetrievalScore(1f).build());
        }
        return Candidates.newBuilder().setContextId(contextId).setDialogueId(contextId.split("#")[0])
                .setEncoderId("e").setContextText("Seeker: ...").setItems(list).build();
    }

    /** A test dialogue whose seeker names {@code mentioned}, and its context's vector. */
    private static void givenContext(Platform p, String dialogueId, float[] vector, int mentioned) {
        TestKafka.send(p, Topics.DIALOGUES, dialogueId, Dialogue.newBuilder().setDialogueId(dialogueId)
                .setDataset("s").setSplit("test").setFeedback(List.of()).setTurns(List.of(
                        Turn.newBuilder().setRole(Role.SEEKER).setText("I loved Film " + mentioned)
                                .setMentionedItemIds(List.of("s:" + mentioned)).build(),
                        Turn.newBuilder().setRole(Role.RECOMMENDER).setText("Try Film " + (mentioned + 1))
                                .setMentionedItemIds(List.of("s:" + (mentioned + 1))).build()))
                .build());
        String contextId = dialogueId + "#1";
        TestKafka.send(p, Topics.EMBEDDINGS, Embeddings.key("e", EmbeddingKind.CONTEXT, contextId),
                Embeddings.record(EmbeddingKind.CONTEXT, contextId, "e", "h", vector));
    }

    private static float[] scores(Verdict verdict) {
        float[] out = new float[verdict.scores().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = verdict.scores().get(i).getScore();
        }
        return out;
    }

    @Test
    void learnsHumanFeedbackScoresEveryCandidateAndHotSwapsANewerVersion(@TempDir Path artifacts) throws Exception {
        Platform platform = kafka.platform(Map.of("topic.prefix", "student-"));
        // Given items, 120 training dialogues and 60 held-out test dialogues with questionnaire answers
        givenItems(platform);
        givenDialogues(platform, 0, 120, "train", true);
        givenDialogues(platform, 1000, 1060, "test", true);

        StudentJudge judge = new StudentJudge(platform, new ArtifactStore(artifacts), options(50, 60_000), null);
        // When the scorer runs with the student and candidates arrive for a training context
        ScorerService scorer = ScorerService.create(platform, judge);
        scorer.start();
        try {
            Candidates c = candidatesFor("s:0#1", List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
            TestKafka.send(platform, Topics.CANDIDATES, c.getContextId(), c);
            List<ConsumerRecord<String, ScoredPair>> pairs = TestKafka.readAll(platform, Topics.SCORED_PAIRS, 12, WAIT);

            // Then it scored every candidate with a named version
            StudentArtifacts.Version first = judge.currentVersion();
            assertThat(first).isNotNull();
            assertThat(pairs).hasSize(12).allSatisfy(r -> {
                assertThat(r.value().getJudgeId()).isEqualTo("student");
                assertThat(r.value().getJudgeVersion()).isEqualTo(first.id());
                assertThat(r.value().getScore()).isBetween(0f, 4f);
            });
            // ... the held-out numbers show it learnt the rule, not the average
            double auc = Double.parseDouble(first.meta().getProperty("heldout.auc.liked"));
            double mse = Double.parseDouble(first.meta().getProperty("heldout.mse"));
            double constant = Double.parseDouble(first.meta().getProperty("heldout.mse.constant"));
            assertThat(auc).isGreaterThan(0.8);
            // (no unrelated items were sampled here, so there is nothing to tell named items from)
            assertThat(first.meta().getProperty("heldout.auc.named")).isNull();
            assertThat(mse).isLessThan(constant * 0.7);
            assertThat(first.trainExamples()).isEqualTo(120);

            // And a list a recommender proposed (S@k's top k, self-distillation's candidates), which names the
            // recommender instead of an encoder, is scored from the vectors the student learnt from
            Candidates retrieved = candidatesFor("s:1000#1", List.of(0, 1, 2, 3));
            float[] expected = scores(judge.judge(retrieved, JudgeInputs.none()));
            Candidates proposed = Candidates.newBuilder(retrieved)
                    .setEncoderId(RecommenderCandidates.encoderId("checkpoint-1")).build();
            assertThat(scores(judge.judge(proposed, JudgeInputs.none()))).containsExactly(expected);
            SemanticScores.Result sk = SemanticScores.score(judge, JudgeInputs.none(), List.of(
                    new SemanticScores.Context("s:1000#1", "s:1000", "Seeker: ...", List.of("s:0", "s:1", "s:2", "s:3"))),
                    2, 4);
            assertThat(sk.failed()).isZero();
            assertThat(sk.meanAt().get(2)).isCloseTo((expected[0] + expected[1]) / 2.0, within(1e-6));
            assertThat(sk.meanAt().get(4)).isCloseTo((expected[0] + expected[1] + expected[2] + expected[3]) / 4.0,
                    within(1e-6));

            // And a context on no topic (a dialogue crs evaluate read from a file) is scored from the vector and
            // mentions its caller hands over, as the same context on the topics would be
            float[] vector = genreVector(1, new Random(5));
            givenContext(platform, "s:5000", vector, 5);
            float[] onTopics = scores(judge.judge(candidatesFor("s:5000#1", List.of(0, 1, 2, 3)), JudgeInputs.none()));
            JudgeInputs given = JudgeInputs.none().withContexts(Map.of("file@line1#1",
                    new JudgeInputs.ContextVector("e", vector, List.of("s:5"))));
            Candidates fromFile = Candidates.newBuilder(candidatesFor("file@line1#1", List.of(0, 1, 2, 3)))
                    .setEncoderId(RecommenderCandidates.encoderId(null)).build();
            assertThat(scores(judge.judge(fromFile, given))).containsExactly(onTopics);

            // When more feedback arrives while it runs
            givenDialogues(platform, 2000, 2200, "train", true);
            Await.until("a newer student version", WAIT, () -> !judge.currentVersion().id().equals(first.id()));
            // Then a newer version, trained on more examples, took over without a restart
            StudentArtifacts.Version second = judge.currentVersion();
            assertThat(second.id()).isNotEqualTo(first.id());
            assertThat(second.trainExamples()).isGreaterThan(first.trainExamples());
            Candidates again = candidatesFor("s:1#1", List.of(0, 1, 2, 3));
            TestKafka.send(platform, Topics.CANDIDATES, again.getContextId(), again);
            List<ConsumerRecord<String, ScoredPair>> all = TestKafka.readAll(platform, Topics.SCORED_PAIRS, 16, WAIT);
            // (records come back partition by partition, so pick the new context's by key, not by position;
            // more feedback may still be arriving, so a yet newer version may have judged them)
            List<ConsumerRecord<String, ScoredPair>> later = all.stream()
                    .filter(r -> r.value().getContextId().equals("s:1#1")).toList();
            assertThat(later).hasSize(4).allSatisfy(r ->
                    assertThat(r.value().getJudgeVersion()).isNotEqualTo(first.id()));
        } finally {
            scorer.stop();
        }

        // And a judge started later loads the newest published version instead of waiting to train
        try (StudentJudge restarted = new StudentJudge(platform, new ArtifactStore(artifacts), options(50, 60_000),
                null)) {
            assertThat(restarted.currentVersion()).isNotNull();
        }
    }

    @Test
    void withoutQuestionnairesOrJudgementsItStopsWithAnErrorNamingTheFix(@TempDir Path artifacts) {
        Platform platform = kafka.platform(Map.of("topic.prefix", "nofeedback-"));
        // Given dialogues like INSPIRED's: no questionnaire answers, and an empty judgement cache
        givenItems(platform);
        givenDialogues(platform, 0, 30, "train", false);

        try (StudentJudge judge = new StudentJudge(platform, new ArtifactStore(artifacts), options(10, 30_000),
                null)) {
            // When it is asked to judge, Then it refuses with the way out rather than scoring blindly
            assertThatThrownBy(() -> judge.judge(candidatesFor("s:0#1", List.of(1, 2)), JudgeInputs.none()))
                    .isInstanceOf(JudgeUnavailableException.class)
                    .hasMessageContaining("scorer.student.teacher=llm")
                    .hasMessageContaining("retrieval-only");
        }
    }
}
