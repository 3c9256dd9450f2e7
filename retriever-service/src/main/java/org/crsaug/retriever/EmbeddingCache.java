package org.crsaug.retriever;

import java.nio.file.Path;
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
 *
 * <p>Item vectors are kept on the heap (the catalogue bounds them). Context vectors, one per context for as
 * long as the retriever runs, go to a {@link VectorFile} when one is given, and only their id, text hash and
 * position stay on the heap (about 250 bytes instead of 1.8 KB for a 384-dimensional vector).
 */
public final class EmbeddingCache implements AutoCloseable {

    /**
     * What is kept of a record: its vector as a primitive array (the Avro record holds it as a list of
     * boxed floats, about five times the memory), or where the vector file holds it; and whether this process
     * made it (rather than read it from the topic), so its record may sit in a transaction that was aborted.
     */
    private record Entry(String contentHash, float[] vector, long position, boolean madeHere) {
    }

    private final String encoderId;
    private final VectorFile contextVectors;
    private final Map<String, Entry> items = new ConcurrentHashMap<>();
    private final Map<String, Entry> contexts = new ConcurrentHashMap<>();

    /** Everything on the heap: for tests and benchmarks. */
    public EmbeddingCache(String encoderId) {
        this(encoderId, null);
    }

    private EmbeddingCache(String encoderId, VectorFile contextVectors) {
        this.encoderId = encoderId;
        this.contextVectors = contextVectors;
    }

    /**
     * The cache as the embeddings topic holds it now, for {@code encoderId} only, with context vectors in a
     * scratch file under {@code scratchDir}.
     */
    public static EmbeddingCache load(Platform platform, String encoderId, String clientId, Path scratchDir,
            Duration timeout) {
        EmbeddingCache cache = new EmbeddingCache(encoderId, VectorFile.create(scratchDir));
        try (TopicFollower<ContextEmbedding> f = new TopicFollower<>(platform, Topics.EMBEDDINGS, clientId)) {
            f.catchUp(r -> {
                if (r.value() != null) {
                    cache.put(r.value(), false);
                }
            }, timeout);
        } catch (RuntimeException e) {
            cache.close();
            throw e;
        }
        return cache;
    }

    public String encoderId() {
        return encoderId;
    }

    /** Keeps a record this process made, when it belongs to this cache's encoder; others are ignored. */
    public void put(ContextEmbedding e) {
        put(e, true);
    }

    private void put(ContextEmbedding e, boolean madeHere) {
        if (!e.getEncoderId().equals(encoderId)) {
            return;
        }
        float[] vector = Embeddings.toArray(e.getVector());
        if (e.getKind() == EmbeddingKind.CONTEXT && contextVectors != null) {
            contexts.put(e.getId(), new Entry(e.getContentHash(), null, contextVectors.append(vector), madeHere));
        } else {
            map(e.getKind()).put(e.getId(), new Entry(e.getContentHash(), vector, -1, madeHere));
        }
    }

    /**
     * Whether the vector under this id was made by this process rather than read from the topic: its record was
     * sent inside the transaction of the work that made it, and if that transaction was aborted (a stream thread
     * fenced, a task moved) the topic never got it, although this cache did.
     */
    public boolean madeHere(EmbeddingKind kind, String id) {
        Entry e = map(kind).get(id);
        return e != null && e.madeHere();
    }

    private Map<String, Entry> map(EmbeddingKind kind) {
        return kind == EmbeddingKind.ITEM ? items : contexts;
    }

    /** The cached vector for this id and text hash (a copy), or null. */
    public float[] vector(EmbeddingKind kind, String id, String contentHash) {
        Entry e = map(kind).get(id);
        return e != null && e.contentHash().equals(contentHash) ? vectorOf(e) : null;
    }

    private float[] vectorOf(Entry e) {
        return e.vector() != null ? e.vector().clone() : contextVectors.read(e.position());
    }

    public long count(EmbeddingKind kind) {
        return map(kind).size();
    }

    /** The cached record under this id, whatever its text hash, or null. */
    public ContextEmbedding record(EmbeddingKind kind, String id) {
        Entry e = map(kind).get(id);
        return e == null ? null : Embeddings.record(kind, id, encoderId, e.contentHash(), vectorOf(e));
    }

    /** Deletes the vector file, if any. */
    @Override
    public void close() {
        if (contextVectors != null) {
            contextVectors.close();
        }
    }
}
