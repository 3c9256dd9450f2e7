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

    /**
     * What is kept of a record: its vector as a primitive array. The Avro record holds it as a list of
     * boxed floats, about five times the memory, and the cache keeps one per context for as long as the
     * retriever runs.
     */
    private record Entry(EmbeddingKind kind, String id, String contentHash, float[] vector) {
    }

    private final String encoderId;
    private final Map<String, Entry> byKey = new ConcurrentHashMap<>();

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
            byKey.put(Embeddings.key(encoderId, e.getKind(), e.getId()),
                    new Entry(e.getKind(), e.getId(), e.getContentHash(), Embeddings.toArray(e.getVector())));
        }
    }

    /** The cached vector for this id and text hash (a copy), or null. */
    public float[] vector(EmbeddingKind kind, String id, String contentHash) {
        Entry e = byKey.get(Embeddings.key(encoderId, kind, id));
        return e != null && e.contentHash().equals(contentHash) ? e.vector().clone() : null;
    }

    public long count(EmbeddingKind kind) {
        return byKey.values().stream().filter(e -> e.kind() == kind).count();
    }

    /** The cached record under this id, whatever its text hash, or null. */
    public ContextEmbedding record(EmbeddingKind kind, String id) {
        Entry e = byKey.get(Embeddings.key(encoderId, kind, id));
        return e == null ? null : Embeddings.record(e.kind(), e.id(), encoderId, e.contentHash(), e.vector());
    }
}
