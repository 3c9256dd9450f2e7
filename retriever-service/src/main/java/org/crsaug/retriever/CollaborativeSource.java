package org.crsaug.retriever;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Items ranked by co-mention votes (see {@link CoMentionIndex}). A context without seeds (nothing
 * mentioned yet) or with too few votes is topped up from the most-mentioned items, marked
 * {@code popularity}, so every context still gets k candidates and the records say which is which.
 */
public final class CollaborativeSource implements CandidateSource {

    private final CoMentionIndex coMentions;
    private final boolean fillWithPopular;

    public CollaborativeSource(CoMentionIndex coMentions, boolean fillWithPopular) {
        this.coMentions = coMentions;
        this.fillWithPopular = fillWithPopular;
    }

    @Override
    public String name() {
        return COLLABORATIVE;
    }

    @Override
    public List<List<Proposal>> propose(List<Request> requests, int k) {
        List<List<Proposal>> out = new ArrayList<>(requests.size());
        for (Request r : requests) {
            String own = r.context().dialogueId();
            Set<String> excluded = r.context().mentionedBefore();
            List<String> seeds = CoMentionIndex.seeds(r.context(), r.dialogue());
            List<Proposal> ps = new ArrayList<>(k);
            Set<String> taken = new HashSet<>();
            for (CoMentionIndex.Hit h : coMentions.rank(own, seeds, excluded, k)) {
                ps.add(new Proposal(h.itemId(), h.votes(), COLLABORATIVE));
                taken.add(h.itemId());
            }
            if (fillWithPopular && ps.size() < k) {
                for (CoMentionIndex.Hit h : coMentions.popular(own, r.context().dataset(), excluded, k + taken.size())) {
                    if (ps.size() >= k) {
                        break;
                    }
                    if (taken.add(h.itemId())) {
                        ps.add(new Proposal(h.itemId(), 0f, POPULARITY));
                    }
                }
            }
            out.add(ps);
        }
        return out;
    }
}
