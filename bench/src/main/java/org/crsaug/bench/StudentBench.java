package org.crsaug.bench;

import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.data.embedding.Embeddings;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.EmbeddingKind;
import org.crsaug.schema.ItemFeedback;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;
import org.crsaug.scorer.RelevanceJudge;
import org.crsaug.scorer.student.StudentJudge;
import org.crsaug.scorer.student.StudentModel;

/**
 * The student judge for the scorer bench: a synthetic world of the bench's items with 384-dim vectors
 * and one questionnaire-answered dialogue per bench context (so each context "bench:c#1" has a
 * dialogue and a context vector), a human-teacher student trained on it before the clock starts, and
 * no retraining during the run (the interval is ten minutes), so the run measures scoring, not training.
 */
final class StudentBench implements ScorerBench.JudgeFactory {

    static final int DIM = 384;
    private static final int MIN_DIALOGUES = 200;
    private static final int GENRES = 4;

    static void publishWorld(Platform p, int contexts) {
        Random rng = new Random(11);
        try (KafkaProducer<String, ContextEmbedding> vectors = p.producer(Topics.EMBEDDINGS, "bench-vectors");
                KafkaProducer<String, Dialogue> dialogues = p.producer(Topics.DIALOGUES, "bench-dialogues")) {
            String vectorTopic = p.config().topic(Topics.EMBEDDINGS);
            List<java.util.concurrent.Future<?>> acks = new java.util.ArrayList<>();
            for (int i = 0; i < ScorerInputs.ITEMS; i++) {
                String id = "bench:" + i;
                acks.add(vectors.send(new ProducerRecord<>(vectorTopic, Embeddings.key("bench", EmbeddingKind.ITEM, id),
                        Embeddings.record(EmbeddingKind.ITEM, id, "bench", "h", vector(i % GENRES, rng)))));
            }
            for (int c = 0; c < Math.max(contexts, MIN_DIALOGUES); c++) {
                int mentioned = rng.nextInt(ScorerInputs.ITEMS);
                // another film than the one mentioned: a recommender turn that names only films already
                // mentioned derives no context, and its candidates would be dead-lettered
                int suggested = (mentioned + 1 + rng.nextInt(ScorerInputs.ITEMS - 1)) % ScorerInputs.ITEMS;
                String dialogueId = "bench:" + c;
                acks.add(dialogues.send(new ProducerRecord<>(p.config().topic(Topics.DIALOGUES), dialogueId,
                        Dialogue.newBuilder().setDialogueId(dialogueId).setDataset("bench").setSplit("train")
                                .setFeedback(List.of(ItemFeedback.newBuilder().setItemId("bench:" + suggested)
                                        .setRespondent("seeker").setSuggested(true).setSeen(false)
                                        .setLiked(mentioned % GENRES == suggested % GENRES).build()))
                                .setTurns(List.of(
                                        Turn.newBuilder().setRole(Role.SEEKER).setText("I loved Bench Film " + mentioned)
                                                .setMentionedItemIds(List.of("bench:" + mentioned)).build(),
                                        Turn.newBuilder().setRole(Role.RECOMMENDER)
                                                .setText("Try Bench Film " + suggested)
                                                .setMentionedItemIds(List.of("bench:" + suggested)).build()))
                                .build())));
                String contextId = dialogueId + "#1";
                acks.add(vectors.send(new ProducerRecord<>(vectorTopic, Embeddings.key("bench", EmbeddingKind.CONTEXT, contextId),
                        Embeddings.record(EmbeddingKind.CONTEXT, contextId, "bench", "h",
                                vector(mentioned % GENRES, rng)))));
            }
            vectors.flush();
            dialogues.flush();
            for (java.util.concurrent.Future<?> ack : acks) {
                ack.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("Could not publish the student bench's world", e.getCause());
        }
    }

    private static float[] vector(int genre, Random rng) {
        float[] v = new float[DIM];
        for (int k = 0; k < DIM; k++) {
            v[k] = (float) rng.nextGaussian() * 0.05f;
        }
        v[genre] += 1f;
        return v;
    }

    @Override
    public RelevanceJudge create(Platform member) {
        StudentJudge.Options o = new StudentJudge.Options(StudentJudge.TEACHER_HUMAN, 0,
                new StudentModel.Settings(64, 4, 128, 0.001, 42), 0, MIN_DIALOGUES / 2, 0.5, 600_000, 300_000);
        return new StudentJudge(member, new ArtifactStore(member.config().getPath("state.dir").resolve("students")), o,
                null);
    }

    @Override
    public boolean ready(RelevanceJudge judge) {
        return ((StudentJudge) judge).currentVersion() != null;
    }
}
