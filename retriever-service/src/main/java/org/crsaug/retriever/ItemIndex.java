package org.crsaug.retriever;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Exact maximum-inner-product search over all item vectors held in memory.
 *
 * <p>Vectors live in one row-major matrix so that a block of queries is scored as a small matrix
 * product: each item row is loaded once per block instead of once per query, which is what keeps a
 * ReDial-sized scan under half a millisecond per query. An approximate index (HNSW, IVF) would
 * replace {@link #searchBatch} behind the same signature; at a few thousand items exactness is cheaper.
 *
 * <p>With {@code centred} the searched rows are the item vectors minus the catalogue mean,
 * re-normalised. This removes the direction every item shares, which otherwise favours the items
 * closest to the "average film" whatever the query says (a measured source of popularity-like bias).
 */
public final class ItemIndex {

    public record Hit(String itemId, float score) {
    }

    /** Queries scored together; the kernel in scoreBlock is written for exactly this many. */
    private static final int QUERY_BLOCK = 16;

    private final boolean centred;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Integer> slots = new HashMap<>();
    private final List<String> ids = new ArrayList<>();
    private final List<float[]> raw = new ArrayList<>();
    /** Rebuilt lazily after upserts: the rows actually searched, flattened. */
    private float[] matrix = new float[0];
    private float[] mean = new float[0];
    private int dim = -1;
    private volatile boolean dirty;

    public ItemIndex() {
        this(false);
    }

    public ItemIndex(boolean centred) {
        this.centred = centred;
    }

    public boolean centred() {
        return centred;
    }

    public void upsert(String itemId, float[] vector) {
        lock.writeLock().lock();
        try {
            if (dim < 0) {
                dim = vector.length;
            } else if (vector.length != dim) {
                throw new IllegalArgumentException("Vector of " + itemId + " has " + vector.length
                        + " dimensions; the index holds " + dim);
            }
            Integer slot = slots.get(itemId);
            if (slot == null) {
                slots.put(itemId, ids.size());
                ids.add(itemId);
                raw.add(vector.clone());
            } else {
                raw.set(slot, vector.clone());
            }
            dirty = true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    public int size() {
        lock.readLock().lock();
        try {
            return ids.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    public boolean contains(String itemId) {
        lock.readLock().lock();
        try {
            return slots.containsKey(itemId);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The mean of all item vectors (empty before the first upsert). */
    public float[] mean() {
        rebuildIfDirty();
        lock.readLock().lock();
        try {
            return mean.clone();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The score {@link #search} would give this item for the query, or NaN when the item is not
     * indexed: lets a caller test one item against a remembered top-k without a full scan.
     */
    public float score(float[] query, String itemId) {
        rebuildIfDirty();
        lock.readLock().lock();
        try {
            Integer slot = slots.get(itemId);
            if (slot == null) {
                return Float.NaN;
            }
            if (query.length != dim) {
                throw new IllegalArgumentException("Query has " + query.length + " dimensions; the index holds " + dim);
            }
            return dot(matrix, slot * dim, query);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The k best items for the query, skipping excluded ones; ties go to the smaller item id. */
    public List<Hit> search(float[] query, int k, Collection<String> excluded) {
        return searchBatch(new float[][] {query}, k, List.of(excluded)).get(0);
    }

    /** {@link #search} for many queries at once, scored block by block. */
    public List<List<Hit>> searchBatch(float[][] queries, int k, List<? extends Collection<String>> excluded) {
        if (excluded.size() != queries.length) {
            throw new IllegalArgumentException(queries.length + " queries but " + excluded.size() + " exclusion sets");
        }
        rebuildIfDirty();
        List<List<Hit>> out = new ArrayList<>(queries.length);
        lock.readLock().lock();
        try {
            int n = ids.size();
            for (int from = 0; from < queries.length; from += QUERY_BLOCK) {
                int b = Math.min(QUERY_BLOCK, queries.length - from);
                float[][] scores = new float[b][n];
                for (int q = 0; q < b; q++) {
                    if (queries[from + q].length != dim && n > 0) {
                        throw new IllegalArgumentException("Query has " + queries[from + q].length
                                + " dimensions; the index holds " + dim);
                    }
                }
                scoreBlock(queries, from, b, scores);
                for (int q = 0; q < b; q++) {
                    out.add(topK(scores[q], k, excluded.get(from + q)));
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        return out;
    }

    private void scoreBlock(float[][] queries, int from, int b, float[][] scores) {
        int n = ids.size();
        float[] m = matrix;
        if (b == 1) {
            float[] v = queries[from];
            for (int i = 0; i < n; i++) {
                scores[0][i] = dot(m, i * dim, v);
            }
            return;
        }
        // Sixteen queries share each pass over an item row, each with its own running sum held in a
        // local: the row value is loaded once for sixteen multiply-adds and the sixteen sums are
        // independent, which the JIT schedules far better than one dot product at a time (measured
        // 2.7x on the ReDial catalogue). Queries are laid out dimension-major; a short block is padded
        // with zero queries whose scores are dropped. Every sum still runs over d in order, so a
        // query scores exactly as it does alone (dot).
        float[] t = new float[dim * QUERY_BLOCK];
        for (int q = 0; q < b; q++) {
            float[] v = queries[from + q];
            for (int d = 0; d < dim; d++) {
                t[d * QUERY_BLOCK + q] = v[d];
            }
        }
        for (int i = 0; i < n; i++) {
            int base = i * dim;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
            float s8 = 0, s9 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0, s14 = 0, s15 = 0;
            for (int d = 0, o = 0; d < dim; d++, o += QUERY_BLOCK) {
                float x = m[base + d];
                s0 += x * t[o];
                s1 += x * t[o + 1];
                s2 += x * t[o + 2];
                s3 += x * t[o + 3];
                s4 += x * t[o + 4];
                s5 += x * t[o + 5];
                s6 += x * t[o + 6];
                s7 += x * t[o + 7];
                s8 += x * t[o + 8];
                s9 += x * t[o + 9];
                s10 += x * t[o + 10];
                s11 += x * t[o + 11];
                s12 += x * t[o + 12];
                s13 += x * t[o + 13];
                s14 += x * t[o + 14];
                s15 += x * t[o + 15];
            }
            float[] sums = {s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15};
            for (int q = 0; q < b; q++) {
                scores[q][i] = sums[q];
            }
        }
    }

    /** The same sum in the same order as the blocked path, so a query scores alike alone or in a batch. */
    private float dot(float[] m, int base, float[] v) {
        float s = 0;
        for (int d = 0; d < dim; d++) {
            s += m[base + d] * v[d];
        }
        return s;
    }

    /** Selection of the k best scores with a bounded min-heap of slots; deterministic tie-break on id. */
    private List<Hit> topK(float[] scores, int k, Collection<String> excluded) {
        int[] heap = new int[Math.max(k, 1)];
        int size = 0;
        for (int i = 0; i < scores.length; i++) {
            if (!excluded.isEmpty() && excluded.contains(ids.get(i))) {
                continue;
            }
            if (size < k) {
                heap[size] = i;
                siftUp(heap, size++, scores);
            } else if (k > 0 && better(i, heap[0], scores)) {
                heap[0] = i;
                siftDown(heap, size, scores);
            }
        }
        List<Hit> out = new ArrayList<>(size);
        for (int j = 0; j < size; j++) {
            out.add(new Hit(ids.get(heap[j]), scores[heap[j]]));
        }
        out.sort((x, y) -> x.score() != y.score() ? Float.compare(y.score(), x.score())
                : x.itemId().compareTo(y.itemId()));
        return out;
    }

    private boolean better(int a, int b, float[] scores) {
        if (scores[a] != scores[b]) {
            return scores[a] > scores[b];
        }
        return ids.get(a).compareTo(ids.get(b)) < 0;
    }

    private void siftUp(int[] heap, int at, float[] scores) {
        while (at > 0) {
            int parent = (at - 1) / 2;
            if (!better(heap[parent], heap[at], scores)) {
                break;
            }
            int t = heap[parent];
            heap[parent] = heap[at];
            heap[at] = t;
            at = parent;
        }
    }

    private void siftDown(int[] heap, int size, float[] scores) {
        int at = 0;
        while (true) {
            int l = 2 * at + 1;
            int r = l + 1;
            int worst = at;
            if (l < size && better(heap[worst], heap[l], scores)) {
                worst = l;
            }
            if (r < size && better(heap[worst], heap[r], scores)) {
                worst = r;
            }
            if (worst == at) {
                return;
            }
            int t = heap[worst];
            heap[worst] = heap[at];
            heap[at] = t;
            at = worst;
        }
    }

    /**
     * The mean item vector, summed in item-id order: the order items arrived in (partitions, replays)
     * must not change a single bit of it, or of the scores centred by it.
     */
    private float[] catalogueMean() {
        float[] mu = new float[Math.max(dim, 0)];
        if (ids.isEmpty()) {
            return mu;
        }
        double[] sum = new double[dim];
        for (int slot : new java.util.TreeMap<>(slots).values()) {
            float[] v = raw.get(slot);
            for (int d = 0; d < dim; d++) {
                sum[d] += v[d];
            }
        }
        for (int d = 0; d < dim; d++) {
            mu[d] = (float) (sum[d] / ids.size());
        }
        return mu;
    }

    private void rebuildIfDirty() {
        if (!dirty) {
            return;
        }
        lock.writeLock().lock();
        try {
            if (!dirty) {
                return;
            }
            int n = ids.size();
            float[] mu = centred ? catalogueMean() : new float[Math.max(dim, 0)];
            float[] m = new float[n * Math.max(dim, 0)];
            for (int i = 0; i < n; i++) {
                float[] v = raw.get(i);
                double norm = 0;
                for (int d = 0; d < dim; d++) {
                    float x = v[d] - mu[d];
                    m[i * dim + d] = x;
                    norm += x * x;
                }
                if (centred) {
                    float inv = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
                    for (int d = 0; d < dim; d++) {
                        m[i * dim + d] *= inv;
                    }
                }
            }
            if (!centred) {
                mu = catalogueMean();
            }
            matrix = m;
            mean = mu;
            dirty = false;
        } finally {
            lock.writeLock().unlock();
        }
    }
}
