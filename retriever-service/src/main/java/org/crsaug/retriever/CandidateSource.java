package org.crsaug.retriever;

import java.util.List;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.schema.Dialogue;

/**
 * Proposes candidate items for dialogue contexts. Implementations never propose an item the
 * context already mentioned, and name themselves in every proposal so labels can be traced back.
 */
public interface CandidateSource {

    String SEMANTIC = "semantic";
    String COLLABORATIVE = "collaborative";
    String FUSION = "fusion";
    String POPULARITY = "popularity";

    /** One context to propose for: its derivation, its whole dialogue, and its encoded vector. */
    record Request(DialogueContext context, Dialogue dialogue, float[] vector) {
    }

    /** One proposed item; {@code source} says which source put it there. */
    record Proposal(String itemId, float score, String source) {
    }

    String name();

    /** One ranked list of at most {@code k} proposals per request, in request order. */
    List<List<Proposal>> propose(List<Request> requests, int k);
}
