package org.crsaug.retriever;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Items whose text vector is closest to the context's vector (exact inner-product search). With
 * centring, the context vector is taken relative to the running mean of context vectors, as the
 * index does for items: both sides then compare what is specific to them, not what all share.
 */
public final class SemanticSource implements CandidateSource {

    private final ItemIndex index;
    private final ContextMean contextMean;

    /** @param contextMean null when context vectors are used as they are */
    public SemanticSource(ItemIndex index, ContextMean contextMean) {
        this.index = index;
        this.contextMean = contextMean;
    }

    /** What {@link #propose} would score this item for a context with this (raw) vector; NaN if not indexed. */
    public float score(float[] contextVector, String itemId) {
        return index.score(contextMean == null ? contextVector : contextMean.centre(contextVector), itemId);
    }

    @Override
    public String name() {
        return SEMANTIC;
    }

    @Override
    public List<List<Proposal>> propose(List<Request> requests, int k) {
        float[][] queries = new float[requests.size()][];
        List<Set<String>> excluded = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            float[] v = requests.get(i).vector();
            queries[i] = contextMean == null ? v : contextMean.centre(v);
            excluded.add(requests.get(i).context().mentionedBefore());
        }
        List<List<ItemIndex.Hit>> hits = index.searchBatch(queries, k, excluded);
        List<List<Proposal>> out = new ArrayList<>(hits.size());
        for (List<ItemIndex.Hit> list : hits) {
            List<Proposal> ps = new ArrayList<>(list.size());
            for (ItemIndex.Hit h : list) {
                ps.add(new Proposal(h.itemId(), h.score(), SEMANTIC));
            }
            out.add(ps);
        }
        return out;
    }
}
