package org.crsaug.retriever;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.data.embedding.Embeddings;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.EmbeddingKind;
import org.crsaug.schema.Item;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the in-memory item index and catalogue equal to the compacted items topic. Vectors already
 * in the embedding cache for the same encoder and text are reused, so a restart encodes nothing twice.
 */
final class ItemIndexer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ItemIndexer.class);

    private final Platform platform;
    private final RetrieverParts parts;
    private final TopicFollower<Item> items;
    private final KafkaProducer<String, ContextEmbedding> producer;
    /** Null unless re-retrieval is on. */
    private final KafkaProducer<String, Candidates> candidates;
    private final ContextRetriever retriever;
    private long encoded;
    private volatile long reretrieved;

    ItemIndexer(Platform platform, RetrieverParts parts, String clientId) {
        this.platform = platform;
        this.parts = parts;
        this.items = new TopicFollower<>(platform, Topics.ITEMS, clientId + "-items");
        this.producer = platform.producer(Topics.EMBEDDINGS, clientId + "-item-embeddings");
        this.candidates = parts.reretriever() == null ? null
                : platform.producer(Topics.CANDIDATES, clientId + "-reretrieved-candidates");
        this.retriever = parts.reretriever() == null ? null : new ContextRetriever(parts);
    }

    /** Reads the items topic to its current end and indexes what it found. */
    void catchUp(Duration timeout) {
        Map<String, Item> batch = new LinkedHashMap<>();
        items.catchUp(r -> collect(batch, r.key(), r.value()), timeout);
        indexAll(batch);
    }

    /** Picks up items that arrived since the last call. */
    void poll(Duration wait) {
        Map<String, Item> batch = new LinkedHashMap<>();
        items.pollOnce(r -> collect(batch, r.key(), r.value()), wait);
        indexAll(batch);
    }

    private void collect(Map<String, Item> batch, String key, Item value) {
        if (value != null) {
            batch.put(key, value);
        } else if (key != null) {
            // a deleted item can no longer be described; it stays searchable until re-published
            LOG.warn("Item {} was deleted from the items topic; its vector stays in the index", key);
        }
    }

    private void indexAll(Map<String, Item> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<ContextEmbedding> fresh = ItemEmbedder.index(batch.values(), parts);
        for (ContextEmbedding e : fresh) {
            producer.send(new ProducerRecord<>(platform.config().topic(Topics.EMBEDDINGS),
                    Embeddings.key(e.getEncoderId(), EmbeddingKind.ITEM, e.getId()), e));
        }
        if (retriever != null && !fresh.isEmpty()) {
            reretrieve(fresh.stream().map(ContextEmbedding::getId).toList());
        }
        producer.flush();
        encoded += fresh.size();
        if (!fresh.isEmpty()) {
            LOG.info("Indexed {} new or changed items ({} encoded so far, index size {})", fresh.size(), encoded,
                    parts.index().size());
        }
    }

    /** Only items whose vector is new (added, or text changed) can change anyone's candidates. */
    private void reretrieve(List<String> itemIds) {
        ContextRetriever.Result r;
        try {
            r = parts.reretriever().reretrieve(itemIds, retriever);
        } catch (RuntimeException e) {
            // the items are indexed either way; contexts keep their older candidates until retrieved again
            LOG.error("Re-retrieval after items {} failed: {}", itemIds, e.getMessage(), e);
            return;
        }
        for (ContextEmbedding e : r.newEmbeddings()) {
            producer.send(new ProducerRecord<>(platform.config().topic(Topics.EMBEDDINGS),
                    Embeddings.key(e.getEncoderId(), e.getKind(), e.getId()), e));
        }
        for (Candidates c : r.candidates()) {
            candidates.send(new ProducerRecord<>(platform.config().topic(Topics.CANDIDATES), c.getContextId(), c));
        }
        candidates.flush();
        reretrieved += r.candidates().size();
        if (!r.candidates().isEmpty()) {
            LOG.info("Items {} changed the candidates of {} contexts; published them again", itemIds,
                    r.candidates().size());
        }
    }

    /** Contexts whose candidates were published again because items changed. */
    long reretrievedCount() {
        return reretrieved;
    }

    long encodedCount() {
        return encoded;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        if (candidates != null) {
            candidates.close(Duration.ofSeconds(5));
        }
        items.close();
    }
}
