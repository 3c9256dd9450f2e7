package org.crsaug.testkit;

import org.crsaug.data.context.DialogueContexts;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.schema.Dialogue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.embedding.Embeddings;
import org.crsaug.data.ingest.Ingestor;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.service.Service;
import org.crsaug.data.state.PipelineState;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.ScoredPair;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.EmbeddingKind;
import org.crsaug.schema.Item;
import org.crsaug.schema.Label;

/**
 * What the trainer and evaluator read, published straight onto a real broker: an ingested INSPIRED slice,
 * a pseudo-embedding for every item and context, and augmented labels for training contexts. Services
 * downstream of the retriever and scorer see exactly the records they would see in the pipeline, without
 * the cost of running the encoder and a judge in their tests.
 */
public final class PipelineInputs {

    public static final String ENCODER = "test-encoder";
    public static final String DATASET = "inspired";
    private static final int DIM = 8;

    private PipelineInputs() {
    }

    /** Deterministic pseudo-embedding, so a test can republish "the same" vector. */
    public static float[] vector(String id) {
        Random r = new Random(id.hashCode());
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /**
     * Ingests the slice ({@link DataSlices#inspiredSlice}) and publishes embeddings for every item and context
     * and labels (gold plus one hashed pick) for the first {@code labelledTrainContexts} training contexts.
     *
     * @return how many training contexts got labels
     */
    public static int publish(Platform p, Path slice, int labelledTrainContexts) {
        try (Ingestor ingestor = new Ingestor(p)) {
            ingestor.ingestDataset(DATASET, slice.resolve(DATASET));
        }
        int labelled = 0;
        // one producer per topic: a producer per record makes the thousand item vectors take half a minute
        try (PipelineState state = new PipelineState(p, "test-setup");
                KafkaProducer<String, ContextEmbedding> embeddings = p.producer(Topics.EMBEDDINGS, "test-embeddings");
                KafkaProducer<String, AugmentedLabels> labels = p.producer(Topics.AUGMENTED_LABELS, "test-labels")) {
            state.catchUp(Duration.ofMinutes(1));
            for (Item item : state.items(DATASET)) {
                embeddings.send(embedding(p, EmbeddingKind.ITEM, item.getItemId()));
            }
            List<String> itemIds = state.items(DATASET).stream().map(Item::getItemId).toList();
            for (String split : List.of("train", "valid", "test")) {
                for (DialogueContext c : state.contexts(DATASET, split)) {
                    embeddings.send(embedding(p, EmbeddingKind.CONTEXT, c.contextId()));
                    if (split.equals("train") && labelled < labelledTrainContexts) {
                        List<String> picked = new ArrayList<>(c.goldItemIds());
                        picked.add(itemIds.get(Math.floorMod(c.contextId().hashCode(), itemIds.size())));
                        labels.send(new ProducerRecord<>(p.config().topic(Topics.AUGMENTED_LABELS), c.contextId(),
                                labels(c, picked)));
                        labelled++;
                    }
                }
            }
            embeddings.flush();
            labels.flush();
        }
        return labelled;
    }

    /**
     * Ingests another dataset beside the slice and publishes a vector for each of its training contexts and
     * nothing else, as the encode-only retriever does for a dataset that lends first-stage examples.
     *
     * @return how many training contexts got a vector
     */
    public static int publishEncodedOnly(Platform p, String dataset, Path datasetDir) {
        try (Ingestor ingestor = new Ingestor(p)) {
            ingestor.ingestDataset(dataset, datasetDir);
        }
        int encoded = 0;
        try (PipelineState state = new PipelineState(p, "test-setup-" + dataset);
                KafkaProducer<String, ContextEmbedding> embeddings = p.producer(Topics.EMBEDDINGS, "test-embeddings")) {
            state.catchUp(Duration.ofMinutes(1));
            for (DialogueContext c : state.contexts(dataset, "train")) {
                embeddings.send(embedding(p, EmbeddingKind.CONTEXT, c.contextId()));
                encoded++;
            }
            embeddings.flush();
        }
        return encoded;
    }

    /** Every training context (and embedding) plus labels for all of them. */
    public static int publish(Platform p, Path slice) {
        return publish(p, slice, Integer.MAX_VALUE);
    }

    /**
     * Labels for up to {@code count} training contexts that have none yet, as a scorer would publish them
     * later; returns how many it published.
     */
    public static int labelMore(Platform p, int count) {
        int published = 0;
        try (PipelineState state = new PipelineState(p, "test-more-labels")) {
            state.catchUp(Duration.ofMinutes(1));
            List<String> itemIds = state.items(DATASET).stream().map(Item::getItemId).toList();
            for (DialogueContext c : state.contexts(DATASET, "train")) {
                if (published < count && state.labels(c.contextId()) == null) {
                    TestKafka.send(p, Topics.AUGMENTED_LABELS, c.contextId(),
                            labels(c, List.of(itemIds.get(Math.floorMod(c.contextId().hashCode() * 31, itemIds.size())))));
                    published++;
                }
            }
        }
        return published;
    }

    /**
     * The first dialogue of {@code split} published again under {@code newId}, as a new dialogue of that split
     * arriving later, with a vector for each of its contexts, as the retriever would add them.
     *
     * @return the new dialogue's context ids
     */
    public static List<String> publishAgainAs(Platform p, String split, String newId) {
        try (PipelineState state = new PipelineState(p, "test-publish-again")) {
            state.catchUp(Duration.ofMinutes(1));
            String first = state.contexts(DATASET, split).get(0).dialogueId();
            Dialogue original = TestKafka.readAll(p, Topics.DIALOGUES, 1, Duration.ofSeconds(30))
                    .stream().map(ConsumerRecord::value)
                    .filter(d -> d.getDialogueId().equals(first)).findFirst().orElseThrow();
            Dialogue again = Dialogue.newBuilder(original).setDialogueId(newId)
                    .build();
            TestKafka.send(p, Topics.DIALOGUES, newId, again);
            List<String> contexts = DialogueContexts.derive(again).stream()
                    .map(DialogueContext::contextId).toList();
            contexts.forEach(id -> sendEmbedding(p, EmbeddingKind.CONTEXT, id));
            return contexts;
        }
    }

    public static void sendEmbedding(Platform p, EmbeddingKind kind, String id) {
        TestKafka.send(p, Topics.EMBEDDINGS, Embeddings.key(ENCODER, kind, id),
                Embeddings.record(kind, id, ENCODER, "h", vector(id)));
    }

    private static ProducerRecord<String, ContextEmbedding> embedding(Platform p, EmbeddingKind kind, String id) {
        return new ProducerRecord<>(p.config().topic(Topics.EMBEDDINGS), Embeddings.key(ENCODER, kind, id),
                Embeddings.record(kind, id, ENCODER, "h", vector(id)));
    }

    public static AugmentedLabels labels(DialogueContext c, List<String> itemIds) {
        return AugmentedLabels.newBuilder().setContextId(c.contextId()).setDialogueId(c.dialogueId())
                .setLabels(itemIds.stream().map(i -> Label.newBuilder().setItemId(i).setScore(4f).build()).toList())
                .setThreshold(3.5f).setJudgeId("test").setJudgeVersion("1").setCandidateCount(itemIds.size()).build();
    }

    /**
     * For every augmented-labels record: the candidates it was chosen from (its items, ranked, from the
     * "semantic" source) and a scored pair per label with prompt version {@code relevance-v1}, as the retriever
     * and scorer would have published them.
     */
    public static void publishProvenance(Platform p) {
        try (KafkaProducer<String, Candidates> candidates = p.producer(Topics.CANDIDATES, "test-candidates");
                KafkaProducer<String, ScoredPair> pairs = p.producer(Topics.SCORED_PAIRS, "test-pairs")) {
            for (ConsumerRecord<String, AugmentedLabels> r : TestKafka.readAll(p, Topics.AUGMENTED_LABELS, 1,
                    Duration.ofSeconds(30))) {
                AugmentedLabels l = r.value();
                List<Candidate> items = new ArrayList<>();
                for (Label label : l.getLabels()) {
                    items.add(Candidate.newBuilder().setItemId(label.getItemId()).setRank(items.size() + 1)
                            .setRetrievalScore(1f / (items.size() + 1)).setSource("semantic").build());
                    pairs.send(new ProducerRecord<>(p.config().topic(Topics.SCORED_PAIRS),
                            l.getContextId() + "|" + label.getItemId(), ScoredPair.newBuilder()
                                    .setContextId(l.getContextId()).setItemId(label.getItemId())
                                    .setScore(label.getScore()).setJudgeId(l.getJudgeId())
                                    .setJudgeVersion(l.getJudgeVersion()).setPromptVersion("relevance-v1").build()));
                }
                candidates.send(new ProducerRecord<>(p.config().topic(Topics.CANDIDATES), l.getContextId(),
                        Candidates.newBuilder().setContextId(l.getContextId()).setDialogueId(l.getDialogueId())
                                .setEncoderId(ENCODER).setContextText("").setItems(items).build()));
            }
            candidates.flush();
            pairs.flush();
        }
    }

    /**
     * A checkpoint of the dataset whose lineage is every record published so far, as a training round would
     * record it (no model behind it: for readers of lineage, not for evaluation).
     */
    public static Checkpoint publishCheckpoint(Platform p, String checkpointId, long createdAtMs) {
        try (PipelineState state = new PipelineState(p, "test-checkpoint")) {
            state.catchUp(Duration.ofMinutes(1));
            Checkpoint c = Checkpoint.newBuilder().setCheckpointId(checkpointId).setRound(1).setStage("two-stage")
                    .setMode("two-stage").setBackbone("semantic").setDataset(DATASET).setArtifactUri("none")
                    .setSha256("none").setCreatedAtMs(createdAtMs).setInputRanges(state.offsetRanges())
                    .setSeed(1L).build();
            TestKafka.send(p, Topics.CHECKPOINTS, checkpointId, c);
            return c;
        }
    }

    /** Waits until the service serves; fails at once with its error when it stops instead. */
    public static <S extends Service> S awaitReady(S service, Duration timeout) throws InterruptedException {
        Await.until(service.name() + " ready", timeout, () -> {
            if (service.failure() != null) {
                throw new AssertionError(service.name() + " failed", service.failure());
            }
            return service.isReady();
        });
        return service;
    }
}
