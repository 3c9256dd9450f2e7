package org.crsaug.retriever;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.avro.specific.SpecificRecord;
import org.crsaug.common.context.DialogueContext;
import org.crsaug.common.context.DialogueContexts;
import org.crsaug.common.deadletter.DeadLetters;
import org.crsaug.common.embedding.Embeddings;
import org.crsaug.common.encoder.TextEncoder;
import org.crsaug.common.item.ItemText;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.EmbeddingKind;

/**
 * For each dialogue: derive its contexts, encode them in one batch, publish every context's vector
 * and, for the configured splits, its top-k items. Items already mentioned in the context are never
 * candidates: recommending them again says nothing about the user's taste.
 */
final class ContextRetrievalProcessor implements Processor<String, Dialogue, String, SpecificRecord> {

    static final String TO_CANDIDATES = "candidates-sink";
    static final String TO_EMBEDDINGS = "embeddings-sink";
    static final String TO_DEAD_LETTERS = "dead-letters-sink";
    static final String STAGE = "retriever";

    private final TextEncoder encoder;
    private final ItemIndex index;
    private final RetrieverSettings settings;
    private ProcessorContext<String, SpecificRecord> context;

    ContextRetrievalProcessor(TextEncoder encoder, ItemIndex index, RetrieverSettings settings) {
        this.encoder = encoder;
        this.index = index;
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, Dialogue> record) {
        Dialogue dialogue = record.value();
        if (dialogue == null) {
            return; // a tombstone deletes a dialogue; nothing to retrieve
        }
        try {
            retrieve(record, dialogue);
        } catch (RuntimeException e) {
            RecordMetadata meta = context.recordMetadata().orElse(null);
            context.forward(record.withKey(record.key()).withValue(DeadLetters.fromRecord(
                    meta == null ? "dialogues" : meta.topic(), meta == null ? -1 : meta.partition(),
                    meta == null ? -1 : meta.offset(), STAGE, e,
                    record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
                    dialogue.toString().getBytes(StandardCharsets.UTF_8))), TO_DEAD_LETTERS);
        }
    }

    private void retrieve(Record<String, Dialogue> record, Dialogue dialogue) {
        List<DialogueContext> contexts = DialogueContexts.derive(dialogue);
        if (contexts.isEmpty()) {
            return;
        }
        List<String> texts = new ArrayList<>(contexts.size());
        for (DialogueContext c : contexts) {
            texts.add(DialogueContexts.render(c.history(), settings.contextMaxChars()));
        }
        float[][] vectors = encoder.encode(texts);
        boolean wantCandidates = settings.candidateSplits().contains(dialogue.getSplit());
        for (int i = 0; i < contexts.size(); i++) {
            DialogueContext c = contexts.get(i);
            String text = texts.get(i);
            context.forward(record.withKey(Embeddings.key(encoder.id(), EmbeddingKind.CONTEXT, c.contextId()))
                    .withValue(Embeddings.record(EmbeddingKind.CONTEXT, c.contextId(), encoder.id(),
                            ItemText.contentHash(text), vectors[i])), TO_EMBEDDINGS);
            if (wantCandidates) {
                context.forward(record.withKey(c.contextId()).withValue(candidates(c, text, vectors[i])),
                        TO_CANDIDATES);
            }
        }
    }

    private Candidates candidates(DialogueContext c, String text, float[] vector) {
        List<ItemIndex.Hit> hits = index.search(vector, settings.topK(), c.mentionedBefore());
        List<Candidate> items = new ArrayList<>(hits.size());
        for (int rank = 0; rank < hits.size(); rank++) {
            ItemIndex.Hit h = hits.get(rank);
            items.add(Candidate.newBuilder().setItemId(h.itemId()).setRank(rank).setRetrievalScore(h.score())
                    .setSource("semantic").build());
        }
        return Candidates.newBuilder()
                .setContextId(c.contextId())
                .setDialogueId(c.dialogueId())
                .setEncoderId(encoder.id())
                .setContextText(text)
                .setItems(items)
                .build();
    }
}
