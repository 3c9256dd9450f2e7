package org.crsaug.retriever;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reciprocal-rank fusion of the semantic and collaborative lists: an item scores
 * sum over lists of 1 / (c + rank), with c = 60 as is usual. Ranks, unlike raw scores, are
 * comparable between an inner product and a vote count. An item found by both lists is marked
 * {@code fusion}; one found by only one keeps that list's source name.
 */
public final class FusionSource implements CandidateSource {

    static final int RRF_CONSTANT = 60;

    private final CandidateSource semantic;
    private final CandidateSource collaborative;

    public FusionSource(CandidateSource semantic, CandidateSource collaborative) {
        this.semantic = semantic;
        this.collaborative = collaborative;
    }

    @Override
    public String name() {
        return FUSION;
    }

    @Override
    public List<List<Proposal>> propose(List<Request> requests, int k) {
        List<List<Proposal>> a = semantic.propose(requests, k);
        List<List<Proposal>> b = collaborative.propose(requests, k);
        List<List<Proposal>> out = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            out.add(fuse(List.of(a.get(i), b.get(i)), k));
        }
        return out;
    }

    static List<Proposal> fuse(List<List<Proposal>> lists, int k) {
        Map<String, Double> score = new LinkedHashMap<>();
        Map<String, String> source = new HashMap<>();
        for (List<Proposal> list : lists) {
            for (int rank = 0; rank < list.size(); rank++) {
                Proposal p = list.get(rank);
                score.merge(p.itemId(), 1.0 / (RRF_CONSTANT + rank + 1), Double::sum);
                source.merge(p.itemId(), p.source(), (x, y) -> x.equals(y) ? x : FUSION);
            }
        }
        List<Map.Entry<String, Double>> entries = new ArrayList<>(score.entrySet());
        entries.sort((x, y) -> !x.getValue().equals(y.getValue()) ? Double.compare(y.getValue(), x.getValue())
                : x.getKey().compareTo(y.getKey()));
        List<Proposal> out = new ArrayList<>(Math.min(k, entries.size()));
        for (Map.Entry<String, Double> e : entries.subList(0, Math.min(k, entries.size()))) {
            out.add(new Proposal(e.getKey(), e.getValue().floatValue(), source.get(e.getKey())));
        }
        return out;
    }
}
