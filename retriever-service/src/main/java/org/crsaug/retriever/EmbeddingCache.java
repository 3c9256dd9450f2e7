package org.crsaug.retriever;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.crsaug.data.embedding.Embeddings;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.EmbeddingKind;

/**
 * Vectors one encoder already produced, keyed like the compacted embeddings topic they come from.
 * A vector is reused only when the text it was made from hashes the same, so an edited item or a
 * differently rendered context is encoded again while a replay or a restart encodes nothing.
 */
public final class EmbeddingCache {

    private final String encoderId;
    private final Map<String, ContextEmbedding> byKey = new ConcurrentHashMap<>();

    public EmbeddingCache(String encoderId) {
        this.encoderId = encoderId;
    }

    /** The cache as the embeddings topic holds it now, for {@code encoderId} only. */
    public static EmbeddingCache load(Platform platform, String encoderId, String clientId, Duration timeout) {
        EmbeddingCache cache = new EmbeddingCache(encoderId);
        try (TopicFollower<ContextEmbedding> f = new TopicFollower<>(platform, Topics.EMBEDDINGS, clientId)) {
            f.catchUp(r -> {
                if (r.value() != null) {
                    cache.put(r.value());
                }
            }, timeout);
        }
        return cache;
    }

    public String encoderId() {
        return encoderId;
    }

    /** Keeps the record when it belongs to this cache's encoder; others are ignored. */
    public void put(ContextEmbedding e) {
        if (e.getEncoderId().equals(encoderId)) {
            byKey.put(Embeddings.key(encoderId, e.getKind(), e.getId()), e);
        }
    }

    /** The cached vector for this id and text hash, or null. */
    public float[] vector(EmbeddingKind kind, String id, String contentHash) {
        ContextEmbedding e = byKey.get(Embeddings.key(encoderId, kind, id));
        return e != null && e.getContentHash().equals(contentHash) ? Embeddings.toArray(e.getVector()) : null;
    }

    public long count(EmbeddingKind kind) {
        return byKey.values().stream().filter(e -> e.getKind() == kind).count();
    }

    /** The cached record under this id, whatever its text hash, or null. */
    public ContextEmbedding record(EmbeddingKind kind, String id) {
        return byKey.get(Embeddings.key(encoderId, kind, id));
    }
}
