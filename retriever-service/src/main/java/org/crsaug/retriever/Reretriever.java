package org.crsaug.retriever;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.Dialogue;

/**
 * Revisits retrieved contexts when the catalogue changes ({@code retriever.reretrieve.on.item}).
 *
 * <p>For every context it has retrieved, it remembers the dialogue, the context vector, the items it
 * proposed, and the k-th best semantic score at that time. A new or re-encoded item can change a
 * context's list only by entering the semantic top-k (its score beats the remembered k-th score) or,
 * when it was already a candidate, by moving; only such contexts are retrieved again, and only their
 * candidates are published anew. The collaborative statistics do not depend on item texts, so fused
 * lists change through their semantic half alone. With centring, remembered scores drift a little as
 * the means move; the test then errs by a hair on either side, which a later item change corrects.
 */
public final class Reretriever {

    private record Remembered(Dialogue dialogue, Set<String> mentioned, float[] vector, Set<String> candidates,
            float kthScore) {
    }

    private final SemanticSource semantic;
    private final int k;
    private final Map<String, Remembered> byContext = new ConcurrentHashMap<>();

    Reretriever(SemanticSource semantic, int k) {
        this.semantic = semantic;
        this.k = k;
    }

    /** Called after each retrieval with what the source proposed, request by request. */
    void remember(List<CandidateSource.Request> requests, List<List<CandidateSource.Proposal>> proposals) {
        // the k-th semantic score is what a new item must beat, whichever source made the final list
        List<List<CandidateSource.Proposal>> semanticTop = semantic.propose(requests, k);
        for (int i = 0; i < requests.size(); i++) {
            CandidateSource.Request r = requests.get(i);
            List<CandidateSource.Proposal> top = semanticTop.get(i);
            float kth = top.size() < k ? Float.NEGATIVE_INFINITY : top.get(top.size() - 1).score();
            Set<String> proposed = new HashSet<>();
            proposals.get(i).forEach(p -> proposed.add(p.itemId()));
            byContext.put(r.context().contextId(),
                    new Remembered(r.dialogue(), r.context().mentionedBefore(), r.vector(), proposed, kth));
        }
    }

    /** Contexts remembered so far. */
    public int size() {
        return byContext.size();
    }

    /** The context ids, grouped by dialogue, whose candidates these (newly indexed) items may change. */
    Map<Dialogue, Set<String>> affectedBy(Collection<String> itemIds) {
        Map<String, Dialogue> dialogues = new LinkedHashMap<>();
        Map<String, Set<String>> contexts = new LinkedHashMap<>();
        for (Map.Entry<String, Remembered> e : byContext.entrySet()) {
            Remembered m = e.getValue();
            for (String itemId : itemIds) {
                if (m.mentioned().contains(itemId)) {
                    continue;
                }
                float score = semantic.score(m.vector(), itemId);
                if (m.candidates().contains(itemId) || score > m.kthScore()) {
                    String d = m.dialogue().getDialogueId();
                    dialogues.putIfAbsent(d, m.dialogue());
                    contexts.computeIfAbsent(d, x -> new HashSet<>()).add(e.getKey());
                    break;
                }
            }
        }
        Map<Dialogue, Set<String>> out = new LinkedHashMap<>();
        contexts.forEach((d, ids) -> out.put(dialogues.get(d), ids));
        return out;
    }

    /**
     * Retrieves again the contexts these items affect and returns their new candidates. Context
     * vectors come from the cache, so normally nothing is encoded; a context whose enriched text
     * changed with the catalogue is encoded again and its vector returned for publishing. Other
     * contexts of the same dialogues are left out of the candidates.
     */
    public ContextRetriever.Result reretrieve(Collection<String> itemIds, ContextRetriever retriever) {
        List<ContextEmbedding> vectors = new ArrayList<>();
        List<Candidates> out = new ArrayList<>();
        if (itemIds.isEmpty()) {
            return new ContextRetriever.Result(vectors, out, List.of());
        }
        for (Map.Entry<Dialogue, Set<String>> e : affectedBy(itemIds).entrySet()) {
            ContextRetriever.Result r = retriever.retrieve(e.getKey());
            vectors.addAll(r.newEmbeddings());
            for (Candidates c : r.candidates()) {
                if (e.getValue().contains(c.getContextId())) {
                    out.add(c);
                }
            }
        }
        return new ContextRetriever.Result(vectors, out, List.of());
    }
}
