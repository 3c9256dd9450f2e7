package org.crsaug.retriever;

import java.util.Map;
import org.crsaug.model.encoder.TextEncoder;
import org.crsaug.data.embedding.Embeddings;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.EmbeddingKind;
import org.crsaug.schema.Item;

/**
 * What the retrieval step works with: built once by the service (or a test) and shared by the
 * topology's processors. {@code items} is the live catalogue, used to enrich context texts.
 * {@code reretriever} is null unless retrieved contexts are to be revisited when items change.
 */
public record RetrieverParts(TextEncoder encoder, ItemIndex index, CandidateSource source, EmbeddingCache cache,
        ContextMean contextMean, CoMentionIndex coMentions, Map<String, Item> items, RetrieverSettings settings,
        Reretriever reretriever) {

    public RetrieverParts(TextEncoder encoder, ItemIndex index, CandidateSource source, EmbeddingCache cache,
            ContextMean contextMean, CoMentionIndex coMentions, Map<String, Item> items, RetrieverSettings settings) {
        this(encoder, index, source, cache, contextMean, coMentions, items, settings, null);
    }

    /** The same parts, remembering what each retrieval found so that item changes can revisit it. */
    public RetrieverParts withReretrieval() {
        Reretriever r = new Reretriever(new SemanticSource(index, settings.centre() ? contextMean : null),
                settings.topK());
        return new RetrieverParts(encoder, index, source, cache, contextMean, coMentions, items, settings, r);
    }

    /**
     * Fixes the context mean from the sample when centring is on, no mean is fixed yet and the sample
     * has grown enough; returns what to publish, or null when nothing was fixed.
     */
    public CentringSample.Result fixContextMean(CentringSample sample) {
        if (!settings.centre() || contextMean.isFixed() || !sample.ready()) {
            return null;
        }
        CentringSample.Result r = sample.compute(this);
        if (r != null) {
            contextMean.fix(r.mean());
        }
        return r;
    }

    /**
     * Wires the source the settings name around the given shared state; a context mean that an earlier
     * retriever of this encoder published (it is in the cache) is fixed at once.
     */
    public static RetrieverParts of(TextEncoder encoder, EmbeddingCache cache, Map<String, Item> items,
            RetrieverSettings settings) {
        ItemIndex index = new ItemIndex(settings.centre(), settings.searchThreads());
        ContextMean mean = new ContextMean();
        if (settings.centre()) {
            ContextEmbedding stored = cache.record(EmbeddingKind.CONTEXT, CentringSample.MEAN_ID);
            if (stored != null) {
                mean.fix(Embeddings.toArray(stored.getVector()));
            }
        }
        CoMentionIndex coMentions = new CoMentionIndex(settings.collaborativeSplits());
        return new RetrieverParts(encoder, index, CandidateSources.create(settings, index, mean, coMentions), cache,
                mean, coMentions, items, settings);
    }
}
