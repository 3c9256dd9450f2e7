package org.crsaug.scorer.student;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.embedding.Embeddings;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.EmbeddingKind;
import org.crsaug.schema.Item;
import org.crsaug.scorer.JudgeInputs;

/**
 * What the student needs besides its weights: context and item vectors from the compacted
 * embeddings topic, dialogues (for the items a context mentioned and for human feedback) and item
 * metadata. The retriever writes a context's vector in the same transaction as its candidates, so a
 * scorer reading committed candidates always finds the vector after one more catch-up.
 */
public final class FeatureSource implements AutoCloseable {

    private final TopicFollower<Dialogue> dialogues;
    private final TopicFollower<Item> items;
    private final TopicFollower<ContextEmbedding> embeddings;
    private final Map<String, Dialogue> dialogueById = new HashMap<>();
    private final Map<String, Item> itemById = new HashMap<>();
    private final Map<String, float[]> contextVectors = new HashMap<>();
    private final Map<String, float[]> itemVectors = new HashMap<>();
    private final Duration timeout;
    private String latestEncoderId;

    public FeatureSource(Platform platform, String clientId, Duration timeout) {
        this.dialogues = new TopicFollower<>(platform, Topics.DIALOGUES, clientId + "-dialogues");
        this.items = new TopicFollower<>(platform, Topics.ITEMS, clientId + "-items");
        this.embeddings = new TopicFollower<>(platform, Topics.EMBEDDINGS, clientId + "-embeddings");
        this.timeout = timeout;
    }

    public synchronized void catchUp() {
        dialogues.catchUp(TopicFollower.latestInto(dialogueById), timeout);
        items.catchUp(TopicFollower.latestInto(itemById), timeout);
        embeddings.catchUp(r -> {
            ContextEmbedding e = r.value();
            if (e != null && !Embeddings.isReserved(e)) {
                // vectors are keyed by encoder too: one student serves one encoder, recorded in its artifact
                (e.getKind() == EmbeddingKind.ITEM ? itemVectors : contextVectors)
                        .put(e.getEncoderId() + "|" + e.getId(), Embeddings.toArray(e.getVector()));
                if (e.getKind() == EmbeddingKind.CONTEXT) {
                    latestEncoderId = e.getEncoderId();
                }
            }
        }, timeout);
    }


    /** The encoder whose context vectors arrived last (the one the retriever runs now), or null. */
    public synchronized String encoderId() {
        return latestEncoderId;
    }

    public synchronized float[] contextVector(String encoderId, String contextId) {
        return contextVectors.get(encoderId + "|" + contextId);
    }

    public synchronized float[] itemVector(String encoderId, String itemId) {
        return itemVectors.get(encoderId + "|" + itemId);
    }

    public synchronized Optional<Item> item(String itemId) {
        return Optional.ofNullable(itemById.get(itemId));
    }

    public synchronized List<Dialogue> dialogues() {
        return new ArrayList<>(dialogueById.values());
    }

    public synchronized List<Item> items() {
        return new ArrayList<>(itemById.values());
    }

    /** The context of a dialogue by id, as every service derives it; empty when the dialogue is unknown. */
    public synchronized Optional<DialogueContext> context(String contextId) {
        Dialogue d = dialogueById.get(DialogueContexts.dialogueIdOf(contextId));
        if (d == null) {
            return Optional.empty();
        }
        return DialogueContexts.derive(d).stream().filter(c -> c.contextId().equals(contextId)).findFirst();
    }

    /**
     * Features of (context, item), or null when a vector is missing. {@code mentioned} are the ids of
     * the items named before the context.
     */
    public synchronized float[] features(String encoderId, String contextId, String itemId,
            java.util.Collection<String> mentioned) {
        float[] c = contextVector(encoderId, contextId);
        float[] i = itemVector(encoderId, itemId);
        if (c == null || i == null) {
            return null;
        }
        return StudentFeatures.of(c, i, itemById.get(itemId), known(mentioned));
    }

    /** The items of {@code mentioned} that the items topic describes. */
    private synchronized List<Item> known(java.util.Collection<String> mentioned) {
        List<Item> known = new ArrayList<>();
        for (String m : mentioned) {
            Item it = itemById.get(m);
            if (it != null) {
                known.add(it);
            }
        }
        return known;
    }

    /**
     * One feature row per candidate, in candidate order, from the vectors of {@code encoder} (the candidates'
     * own encoder, or the student's when a recommender proposed them). The retriever commits a context's vector
     * with its candidates, so when the vector or the dialogue is missing one more read finds it.
     */
    public float[][] features(Candidates candidates, String encoder) {
        String contextId = candidates.getContextId();
        if (contextVector(encoder, contextId) == null || context(contextId).isEmpty()) {
            catchUp();
        }
        DialogueContext context = context(contextId).orElseThrow(() -> new IllegalStateException(
                "Dialogue of context " + contextId + " is not in the dialogues topic"));
        float[][] out = new float[candidates.getItems().size()][];
        for (int i = 0; i < out.length; i++) {
            String item = candidates.getItems().get(i).getItemId();
            out[i] = features(encoder, contextId, item, context.mentionedInOrder());
            if (out[i] == null) {
                throw new IllegalStateException("No " + encoder + " vector for context " + contextId + " or item "
                        + item + " in the embeddings topic");
            }
        }
        return out;
    }

    /**
     * One feature row per candidate, in candidate order, for a context the caller encoded itself (a dialogue
     * of a file, on no topic): its vector and mentions come from {@code context}, the items' from the topics.
     */
    public float[][] features(Candidates candidates, JudgeInputs.ContextVector context) {
        String encoder = context.encoderId();
        if (candidates.getItems().stream().anyMatch(c -> itemVector(encoder, c.getItemId()) == null)) {
            catchUp();
        }
        List<Item> known = known(context.mentioned());
        float[][] out = new float[candidates.getItems().size()][];
        for (int i = 0; i < out.length; i++) {
            String item = candidates.getItems().get(i).getItemId();
            float[] v = itemVector(encoder, item);
            if (v == null) {
                throw new IllegalStateException("No " + encoder + " vector for item " + item
                        + " in the embeddings topic: the student scores items the retriever has encoded");
            }
            out[i] = StudentFeatures.of(context.vector(), v, item(item).orElse(null), known);
        }
        return out;
    }

    @Override
    public void close() {
        dialogues.close();
        items.close();
        embeddings.close();
    }
}
