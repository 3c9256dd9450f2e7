package org.crsaug.retriever;

import org.crsaug.data.context.RetrievalText;

import java.util.ArrayList;
import java.util.List;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.embedding.Embeddings;
import org.crsaug.data.item.ItemText;
import org.crsaug.platform.metrics.StageMeters;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.EmbeddingKind;

/**
 * The retrieval step for one dialogue, free of Kafka so the stream processor and the benchmark run
 * the same code: derive the contexts, encode those whose text has no cached vector (one batch), and
 * for the configured splits ask the source for each context's top-k.
 */
public final class ContextRetriever {

    /** @param newEmbeddings vectors encoded for this dialogue (cached ones are not repeated) */
    /**
     * @param newEmbeddings vectors encoded for this call
     * @param madeEarlier   vectors this process made for an earlier call and took from its cache: when a dialogue
     *                      is processed again (its first transaction aborted when a stream thread was fenced), their
     *                      records must be sent again, or the topic never holds them
     */
    public record Result(List<ContextEmbedding> newEmbeddings, List<Candidates> candidates,
            List<ContextEmbedding> madeEarlier) {
    }

    private final RetrieverParts parts;
    private final RetrieverSettings settings;

    public ContextRetriever(RetrieverParts parts) {
        this.parts = parts;
        this.settings = parts.settings();
    }

    public Result retrieve(Dialogue dialogue) {
        List<DialogueContext> contexts = DialogueContexts.derive(dialogue);
        int n = contexts.size();
        String encoderId = parts.encoder().id();
        String[] hashes = new String[n];
        float[][] vectors = new float[n][];
        List<Integer> missing = new ArrayList<>();
        List<String> toEncode = new ArrayList<>();
        List<ContextEmbedding> madeEarlier = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            DialogueContext c = contexts.get(i);
            String text = settings.encoderText().of(c, parts.items());
            hashes[i] = ItemText.contentHash(text);
            vectors[i] = parts.cache().vector(EmbeddingKind.CONTEXT, c.contextId(), hashes[i]);
            if (vectors[i] == null) {
                missing.add(i);
                toEncode.add(text);
            } else if (parts.cache().madeHere(EmbeddingKind.CONTEXT, c.contextId())) {
                madeEarlier.add(Embeddings.record(EmbeddingKind.CONTEXT, c.contextId(), encoderId, hashes[i],
                        vectors[i]));
            }
        }
        List<ContextEmbedding> fresh = new ArrayList<>(missing.size());
        if (!toEncode.isEmpty()) {
            float[][] encoded;
            try (StageMeters.Span span = StageMeters.begin(StageMeters.CONTEXT_ENCODING)) {
                encoded = parts.encoder().encodeQueries(toEncode);
                span.record();
            }
            for (int j = 0; j < missing.size(); j++) {
                int i = missing.get(j);
                vectors[i] = encoded[j];
                ContextEmbedding e = Embeddings.record(EmbeddingKind.CONTEXT, contexts.get(i).contextId(), encoderId,
                        hashes[i], encoded[j]);
                parts.cache().put(e);
                fresh.add(e);
            }
        }
        if (n == 0 || !settings.candidateSplits().contains(dialogue.getSplit())) {
            return new Result(fresh, List.of(), madeEarlier);
        }
        List<CandidateSource.Request> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            requests.add(new CandidateSource.Request(contexts.get(i), dialogue, vectors[i]));
        }
        List<List<CandidateSource.Proposal>> proposals;
        try (StageMeters.Span span = StageMeters.begin(StageMeters.SEARCH)) {
            proposals = parts.source().propose(requests, settings.topK());
            span.record();
        }
        List<Candidates> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(candidates(contexts.get(i), proposals.get(i), encoderId));
        }
        if (parts.reretriever() != null) {
            parts.reretriever().remember(requests, proposals);
        }
        return new Result(fresh, out, madeEarlier);
    }

    private Candidates candidates(DialogueContext c, List<CandidateSource.Proposal> proposals, String encoderId) {
        List<Candidate> out = new ArrayList<>(proposals.size());
        for (int rank = 0; rank < proposals.size(); rank++) {
            CandidateSource.Proposal p = proposals.get(rank);
            if (c.mentionedBefore().contains(p.itemId())) {
                throw new IllegalStateException("Source " + parts.source().name() + " proposed " + p.itemId()
                        + ", which " + c.contextId() + " already mentions");
            }
            out.add(Candidate.newBuilder().setItemId(p.itemId()).setRank(rank).setRetrievalScore(p.score())
                    .setSource(p.source()).build());
        }
        return Candidates.newBuilder()
                .setContextId(c.contextId())
                .setDialogueId(c.dialogueId())
                .setEncoderId(encoderId)
                .setContextText(RetrievalText.dialogue(c, settings.contextMaxChars()))
                .setItems(out)
                .build();
    }
}
