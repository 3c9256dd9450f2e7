package org.crsaug.data.state;

import org.crsaug.platform.store.TopicFollower;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.TopicPartition;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.embedding.Embeddings;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.EmbeddingKind;
import org.crsaug.schema.Item;
import org.crsaug.schema.OffsetRange;

/**
 * The latest value of every key of the topics a trainer or evaluator learns from, materialised in
 * memory with compaction semantics (a later record replaces an earlier one, a tombstone deletes).
 * It remembers how far it read each partition, which is the lineage a checkpoint records.
 */
public final class PipelineState implements AutoCloseable {

    private final TopicFollower<Item> items;
    private final TopicFollower<Dialogue> dialogues;
    private final TopicFollower<ContextEmbedding> embeddings;
    private final TopicFollower<AugmentedLabels> labels;
    private final Map<String, Item> itemById = new TreeMap<>();
    private final Map<String, Dialogue> dialogueById = new TreeMap<>();
    private final Map<String, Map<String, float[]>> contextVectors = new HashMap<>();
    private final Map<String, Map<String, float[]>> itemVectors = new HashMap<>();
    private final Map<String, AugmentedLabels> labelsByContext = new TreeMap<>();
    private String latestEncoderId;

    public PipelineState(Platform platform, String clientId) {
        items = new TopicFollower<>(platform, Topics.ITEMS, clientId + "-items");
        dialogues = new TopicFollower<>(platform, Topics.DIALOGUES, clientId + "-dialogues");
        embeddings = new TopicFollower<>(platform, Topics.EMBEDDINGS, clientId + "-embeddings");
        labels = new TopicFollower<>(platform, Topics.AUGMENTED_LABELS, clientId + "-labels");
    }

    /** Reads every followed topic up to its current end. */
    public synchronized void catchUp(Duration timeout) {
        items.catchUp(TopicFollower.latestInto(itemById), timeout);
        dialogues.catchUp(TopicFollower.latestInto(dialogueById), timeout);
        embeddings.catchUp(r -> addEmbedding(r.value()), timeout);
        labels.catchUp(TopicFollower.latestInto(labelsByContext), timeout);
    }

    /**
     * Reads exactly the records a checkpoint's {@link #offsetRanges()} name and nothing newer, so that a
     * fresh state rebuilt this way holds the training set of that checkpoint. Ranges must start at 0 (which
     * is what this class records).
     */
    public synchronized void catchUpTo(List<OffsetRange> ranges, Duration timeout) {
        Map<String, Map<TopicPartition, Long>> byTopic = new HashMap<>();
        for (OffsetRange r : ranges) {
            if (r.getFromOffset() != 0) {
                throw new IllegalArgumentException("Offset range " + r + " does not start at 0; a state needs whole"
                        + " compacted topics");
            }
            byTopic.computeIfAbsent(r.getTopic(), t -> new HashMap<>())
                    .put(new TopicPartition(r.getTopic(), r.getPartition()), r.getUntilOffset());
        }
        items.catchUpTo(byTopic.getOrDefault(items.topic(), Map.of()), TopicFollower.latestInto(itemById), timeout);
        dialogues.catchUpTo(byTopic.getOrDefault(dialogues.topic(), Map.of()),
                TopicFollower.latestInto(dialogueById), timeout);
        embeddings.catchUpTo(byTopic.getOrDefault(embeddings.topic(), Map.of()), r -> addEmbedding(r.value()), timeout);
        labels.catchUpTo(byTopic.getOrDefault(labels.topic(), Map.of()),
                TopicFollower.latestInto(labelsByContext), timeout);
    }


    private void addEmbedding(ContextEmbedding e) {
        if (e == null || Embeddings.isReserved(e)) {
            return;
        }
        Map<String, Map<String, float[]>> target = e.getKind() == EmbeddingKind.ITEM ? itemVectors : contextVectors;
        target.computeIfAbsent(e.getEncoderId(), k -> new HashMap<>()).put(e.getId(),
                Embeddings.toArray(e.getVector()));
        if (e.getKind() == EmbeddingKind.CONTEXT) {
            latestEncoderId = e.getEncoderId();
        }
    }

    /** Items of one dataset, ordered by id: the order defines a model's output positions. */
    public synchronized List<Item> items(String dataset) {
        return items(dataset, false);
    }

    /**
     * Items of one dataset, ordered by id; with {@code metadataOnly}, only items that have descriptive
     * metadata (the catalogue the method's paper reports on).
     */
    public synchronized List<Item> items(String dataset, boolean metadataOnly) {
        List<Item> out = new ArrayList<>();
        for (Item i : itemById.values()) {
            if (i.getDataset().equals(dataset) && (!metadataOnly || i.getHasMetadata())) {
                out.add(i);
            }
        }
        return out;
    }

    /** How often each item is mentioned in the dialogues of one dataset and split (any turn, any role). */
    public synchronized Map<String, Integer> mentionCounts(String dataset, String split) {
        Map<String, Integer> counts = new HashMap<>();
        for (Dialogue d : dialogueById.values()) {
            if (d.getDataset().equals(dataset) && d.getSplit().equals(split)) {
                d.getTurns().forEach(t -> t.getMentionedItemIds().forEach(id -> counts.merge(id, 1, Integer::sum)));
            }
        }
        return counts;
    }

    /** Augmented labels of every labelled context, by context id. */
    public synchronized Map<String, AugmentedLabels> allLabels() {
        return Collections.unmodifiableMap(new TreeMap<>(labelsByContext));
    }

    public synchronized Map<String, Item> itemsById() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(itemById));
    }

    /** Datasets present among the dialogues. */
    public synchronized TreeSet<String> datasets() {
        TreeSet<String> out = new TreeSet<>();
        dialogueById.values().forEach(d -> out.add(d.getDataset()));
        return out;
    }

    /** Contexts of one dataset and split, in dialogue-id then turn order. */
    public synchronized List<DialogueContext> contexts(String dataset, String split) {
        List<DialogueContext> out = new ArrayList<>();
        for (Dialogue d : dialogueById.values()) {
            if (d.getDataset().equals(dataset) && d.getSplit().equals(split)) {
                out.addAll(DialogueContexts.derive(d));
            }
        }
        return out;
    }

    /** Dialogues of one dataset, ordered by id. */
    public synchronized List<Dialogue> dialogues(String dataset) {
        List<Dialogue> out = new ArrayList<>();
        for (Dialogue d : dialogueById.values()) {
            if (d.getDataset().equals(dataset)) {
                out.add(d);
            }
        }
        return out;
    }

    public synchronized int dialogueCount() {
        return dialogueById.size();
    }

    /** The encoder whose context vectors arrived last: the one the retriever runs now. */
    public synchronized String encoderId() {
        return latestEncoderId;
    }

    public synchronized float[] contextVector(String encoderId, String contextId) {
        Map<String, float[]> m = contextVectors.get(encoderId);
        return m == null ? null : m.get(contextId);
    }

    public synchronized float[] itemVector(String encoderId, String itemId) {
        Map<String, float[]> m = itemVectors.get(encoderId);
        return m == null ? null : m.get(itemId);
    }

    public synchronized AugmentedLabels labels(String contextId) {
        return labelsByContext.get(contextId);
    }

    public synchronized int labelledContexts() {
        return labelsByContext.size();
    }

    public synchronized int contextVectorCount(String encoderId) {
        Map<String, float[]> m = contextVectors.get(encoderId);
        return m == null ? 0 : m.size();
    }

    /** For every followed partition, the range [0, position) this state was built from. */
    public synchronized List<OffsetRange> offsetRanges() {
        List<OffsetRange> out = new ArrayList<>();
        for (TopicFollower<? extends SpecificRecord> f : List.of(items, dialogues, embeddings, labels)) {
            Map<TopicPartition, Long> pos = new TreeMap<>(
                    java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
            pos.putAll(f.positions());
            pos.forEach((tp, p) -> out.add(OffsetRange.newBuilder().setTopic(tp.topic()).setPartition(tp.partition())
                    .setFromOffset(0).setUntilOffset(p).build()));
        }
        return out;
    }

    @Override
    public void close() {
        items.close();
        dialogues.close();
        embeddings.close();
        labels.close();
    }
}
