package org.crsaug.retriever;

import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.crsaug.platform.deadletter.DeadLetters;
import org.crsaug.platform.topic.Topics;
import org.crsaug.data.embedding.Embeddings;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.Dialogue;

/**
 * Runs {@link ContextRetriever} on each dialogue and forwards what it made: new context vectors to
 * the embeddings topic, candidates to the candidates topic, failures to the dead letters.
 */
final class ContextRetrievalProcessor implements Processor<String, Dialogue, String, SpecificRecord> {

    static final String TO_CANDIDATES = "candidates-sink";
    static final String TO_EMBEDDINGS = "embeddings-sink";
    static final String TO_DEAD_LETTERS = "dead-letters-sink";
    static final String STAGE = "retriever";

    private final ContextRetriever retriever;
    private final io.micrometer.core.instrument.Counter ok =
            org.crsaug.platform.metrics.StageMeters.records(STAGE, org.crsaug.platform.metrics.StageMeters.OK);
    private final io.micrometer.core.instrument.Counter deadLettered =
            org.crsaug.platform.metrics.StageMeters.records(STAGE, org.crsaug.platform.metrics.StageMeters.DEAD_LETTER);
    private ProcessorContext<String, SpecificRecord> context;
    private final Serializer<Dialogue> wire;

    /** @param wire the dialogues topic's serializer: a dead letter keeps the dialogue as its record's bytes */
    ContextRetrievalProcessor(RetrieverParts parts, Serializer<Dialogue> wire) {
        this.retriever = new ContextRetriever(parts);
        this.wire = wire;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, Dialogue> input) {
        // outputs carry the time this stage made them, not the dialogue's: GET /api/dialogues/{id} shows
        // when retrieval finished from the candidates' timestamps
        Record<String, Dialogue> record = input.withTimestamp(System.currentTimeMillis());
        Dialogue dialogue = record.value();
        if (dialogue == null) {
            return; // a tombstone deletes a dialogue; nothing to retrieve
        }
        ContextRetriever.Result result;
        try {
            result = retriever.retrieve(dialogue);
        } catch (RuntimeException e) {
            context.forward(record.withValue(DeadLetters.fromProcessing(context.recordMetadata(),
                    Topics.DIALOGUES.baseName(), STAGE, e, record.key(), dialogue, wire)), TO_DEAD_LETTERS);
            deadLettered.increment();
            return;
        }
        // a dialogue this process retrieved before comes again when that transaction was aborted (the thread
        // fenced, the task moved): the vectors come from the cache, but their records must go out again with it
        for (List<ContextEmbedding> embeddings : List.of(result.newEmbeddings(), result.madeEarlier())) {
            for (ContextEmbedding e : embeddings) {
                context.forward(record.withKey(Embeddings.key(e.getEncoderId(), e.getKind(), e.getId()))
                        .withValue(e), TO_EMBEDDINGS);
            }
        }
        for (Candidates c : result.candidates()) {
            context.forward(record.withKey(c.getContextId()).withValue(c), TO_CANDIDATES);
        }
        ok.increment();
    }
}
