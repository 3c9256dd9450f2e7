package org.crsaug.retriever;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.common.embedding.Embeddings;
import org.crsaug.common.encoder.TextEncoder;
import org.crsaug.common.item.ItemText;
import org.crsaug.common.platform.Platform;
import org.crsaug.common.store.TopicFollower;
import org.crsaug.common.topic.Topics;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.EmbeddingKind;
import org.crsaug.schema.Item;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the in-memory item index equal to the compacted items topic. Vectors already published to
 * the embeddings topic for the same encoder and text are reused, so a restart encodes nothing twice.
 */
final class ItemIndexer {

    private static final Logger LOG = LoggerFactory.getLogger(ItemIndexer.class);

    private final Platform platform;
    private final TextEncoder encoder;
    private final ItemIndex index;
    private final Map<String, ContextEmbedding> known = new HashMap<>();
    private final TopicFollower<Item> items;
    private final KafkaProducer<String, ContextEmbedding> producer;
    private long encoded;

    ItemIndexer(Platform platform, TextEncoder encoder, ItemIndex index, String clientId) {
        this.platform = platform;
        this.encoder = encoder;
        this.index = index;
        this.items = new TopicFollower<>(platform, Topics.ITEMS, clientId + "-items");
        this.producer = platform.producer(Topics.EMBEDDINGS, clientId + "-item-embeddings");
        loadKnownEmbeddings(clientId);
    }

    private void loadKnownEmbeddings(String clientId) {
        try (TopicFollower<ContextEmbedding> cache =
                new TopicFollower<>(platform, Topics.EMBEDDINGS, clientId + "-embedding-cache")) {
            cache.catchUp(r -> {
                ContextEmbedding e = r.value();
                if (e != null && e.getKind() == EmbeddingKind.ITEM && e.getEncoderId().equals(encoder.id())) {
                    known.put(e.getId(), e);
                }
            }, Duration.ofMinutes(2));
        }
        LOG.info("Reusing {} item embeddings of encoder {}", known.size(), encoder.id());
    }

    /** Reads the items topic to its current end and indexes what it found. */
    void catchUp(Duration timeout) {
        Map<String, Item> batch = new LinkedHashMap<>();
        items.catchUp(r -> {
            if (r.value() != null) {
                batch.put(r.key(), r.value());
            }
        }, timeout);
        indexAll(batch);
    }

    /** Picks up items that arrived since the last call. */
    void poll(Duration wait) {
        Map<String, Item> batch = new LinkedHashMap<>();
        items.pollOnce(r -> {
            if (r.value() != null) {
                batch.put(r.key(), r.value());
            }
        }, wait);
        indexAll(batch);
    }

    private void indexAll(Map<String, Item> batch) {
        List<Item> toEncode = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (Item item : batch.values()) {
            String text = ItemText.describe(item);
            String hash = ItemText.contentHash(text);
            ContextEmbedding cached = known.get(item.getItemId());
            if (cached != null && cached.getContentHash().equals(hash)) {
                index.upsert(item.getItemId(), Embeddings.toArray(cached.getVector()));
            } else {
                toEncode.add(item);
                texts.add(text);
            }
        }
        if (toEncode.isEmpty()) {
            return;
        }
        float[][] vectors = encoder.encode(texts);
        for (int i = 0; i < toEncode.size(); i++) {
            String itemId = toEncode.get(i).getItemId();
            ContextEmbedding e = Embeddings.record(EmbeddingKind.ITEM, itemId, encoder.id(),
                    ItemText.contentHash(texts.get(i)), vectors[i]);
            known.put(itemId, e);
            index.upsert(itemId, vectors[i]);
            producer.send(new ProducerRecord<>(platform.config().topic(Topics.EMBEDDINGS),
                    Embeddings.key(encoder.id(), EmbeddingKind.ITEM, itemId), e));
        }
        producer.flush();
        encoded += toEncode.size();
        LOG.info("Indexed {} new or changed items ({} encoded so far, index size {})", toEncode.size(), encoded,
                index.size());
    }

    long encodedCount() {
        return encoded;
    }

    void close() {
        producer.close(Duration.ofSeconds(5));
        items.close();
    }
}
