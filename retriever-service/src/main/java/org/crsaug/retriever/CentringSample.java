package org.crsaug.retriever;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.embedding.Embeddings;
import org.crsaug.data.item.ItemText;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.EmbeddingKind;

/**
 * The training contexts the context mean is computed from: those of the training dialogues taken in
 * dialogue-id order, up to {@link #SIZE}. The choice and the summation order depend on the data alone,
 * not on partitions, delivery order or replicas, so the same data always gives the same mean.
 *
 * <p>The mean is published on the embeddings topic under {@link #MEAN_ID} and read back by every later
 * retriever of the same encoder: dialogues added afterwards, even ones whose ids sort first, leave it
 * where it is, and a replay of the topics reproduces it exactly.
 */
public final class CentringSample {

    /** Enough contexts for a mean that hardly moves; more would only cost start-up encoding. */
    public static final int SIZE = 2000;
    /** Reserved id of the mean's record; no context id starts with '@'. */
    public static final String MEAN_ID = Embeddings.RESERVED_PREFIX + "context-mean";

    /**
     * @param encoded the sampled contexts that had no cached vector, encoded now; publish them so that
     *                retrieval does not encode them again
     * @param record  the mean as an embeddings record, to publish
     */
    public record Result(float[] mean, int contexts, List<ContextEmbedding> encoded, ContextEmbedding record) {
    }

    private static final int ENCODE_BATCH = 64;

    private final Set<String> splits;
    private final TreeMap<String, Dialogue> dialogues = new TreeMap<>();
    private final Map<String, Integer> contextCounts = new HashMap<>();
    private int contexts;
    private boolean changed;

    /** @param splits dialogues of these splits are sampled (the training splits) */
    public CentringSample(Set<String> splits) {
        this.splits = Set.copyOf(splits);
    }

    /** Adds, replaces or (with null) removes a dialogue; other splits are ignored. */
    public void offer(String dialogueId, Dialogue dialogue) {
        Integer old = contextCounts.remove(dialogueId);
        if (old != null) {
            dialogues.remove(dialogueId);
            contexts -= old;
            changed = true;
        }
        if (dialogue != null && splits.contains(dialogue.getSplit())) {
            int n = DialogueContexts.derive(dialogue).size();
            dialogues.put(dialogueId, dialogue);
            contextCounts.put(dialogueId, n);
            contexts += n;
            changed = true;
        }
    }

    /** Whether enough training contexts arrived since the last look to compute a mean. */
    public boolean ready() {
        return changed && contexts >= ContextMean.MIN_COUNT;
    }

    /**
     * The mean over the sample, encoding what the cache lacks; null while there are too few contexts.
     * Once it returned a mean the sample is emptied: a fixed mean is never computed again.
     */
    public Result compute(RetrieverParts parts) {
        changed = false;
        RetrieverSettings s = parts.settings();
        List<DialogueContext> chosen = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        List<Integer> missing = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (Dialogue d : dialogues.values()) {
            for (DialogueContext c : DialogueContexts.derive(d)) {
                if (chosen.size() == SIZE) {
                    break;
                }
                String text = s.encoderText().of(c, parts.items());
                String hash = ItemText.contentHash(text);
                float[] v = parts.cache().vector(EmbeddingKind.CONTEXT, c.contextId(), hash);
                if (v == null) {
                    missing.add(chosen.size());
                    texts.add(text);
                }
                chosen.add(c);
                hashes.add(hash);
                vectors.add(v);
            }
        }
        if (chosen.size() < ContextMean.MIN_COUNT) {
            return null;
        }
        String encoderId = parts.encoder().id();
        List<ContextEmbedding> encoded = new ArrayList<>(missing.size());
        for (int from = 0; from < texts.size(); from += ENCODE_BATCH) {
            int to = Math.min(texts.size(), from + ENCODE_BATCH);
            float[][] out;
            // the same work as retrieval's own context encoding, only earlier: counted under the same step
            try (org.crsaug.platform.metrics.StageMeters.Span span = org.crsaug.platform.metrics.StageMeters.begin(
                    org.crsaug.platform.metrics.StageMeters.CONTEXT_ENCODING)) {
                out = parts.encoder().encodeQueries(texts.subList(from, to));
                span.record();
            }
            for (int j = from; j < to; j++) {
                int i = missing.get(j);
                vectors.set(i, out[j - from]);
                ContextEmbedding e = Embeddings.record(EmbeddingKind.CONTEXT, chosen.get(i).contextId(), encoderId,
                        hashes.get(i), out[j - from]);
                parts.cache().put(e);
                encoded.add(e);
            }
        }
        int dim = vectors.get(0).length;
        double[] sum = new double[dim];
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < chosen.size(); i++) {
            float[] v = vectors.get(i);
            for (int d = 0; d < dim; d++) {
                sum[d] += v[d];
            }
            ids.append(chosen.get(i).contextId()).append('=').append(hashes.get(i)).append('\n');
        }
        float[] mean = new float[dim];
        for (int d = 0; d < dim; d++) {
            mean[d] = (float) (sum[d] / chosen.size());
        }
        ContextEmbedding record = Embeddings.record(EmbeddingKind.CONTEXT, MEAN_ID, encoderId,
                ItemText.contentHash(ids.toString()), mean);
        // the mean is fixed for good: the dialogues kept to choose the sample are not needed any more
        dialogues.clear();
        contextCounts.clear();
        contexts = 0;
        return new Result(mean, chosen.size(), encoded, record);
    }
}
