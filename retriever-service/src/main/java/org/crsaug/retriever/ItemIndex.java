package org.crsaug.retriever;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Exact maximum-inner-product search over all item vectors held in memory.
 *
 * <p>Vectors live in tiles of 128 items laid out dimension-major, so that a block of queries is scored
 * as a small matrix product in vector instructions (see scoreBlock): a ReDial-sized scan takes less time
 * per query than a plain multiply-add loop needs for the same arithmetic. An approximate index (HNSW, IVF) would
 * replace {@link #searchBatch} behind the same signature; at a few thousand items exactness is cheaper.
 *
 * <p>With {@code threads} above one, a batch of several query blocks is cut into that many runs of whole blocks,
 * scored side by side on the common fork-join pool and the calling thread. Each query is still scored by one
 * thread in the same order, so the results are the same bits whatever the thread count.
 *
 * <p>With {@code centred} the searched rows are the item vectors minus the catalogue mean,
 * re-normalised. This removes the direction every item shares, which otherwise favours the items
 * closest to the "average film" whatever the query says (a measured source of popularity-like bias).
 */
public final class ItemIndex {

    public record Hit(String itemId, float score) {
    }

    /** Queries scored together: their running sums for one tile (16 x 128 floats) fit the L1 cache. */
    private static final int QUERY_BLOCK = 16;
    /** Items per tile of the search layout; a multiple of every vector width the JIT uses. */
    private static final int TILE = 128;

    private final boolean centred;
    private final int threads;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Integer> slots = new HashMap<>();
    private final List<String> ids = new ArrayList<>();
    private final List<float[]> raw = new ArrayList<>();
    /** Rebuilt lazily after upserts: the rows actually searched, in tiles (see scoreBlock); the last is zero-padded. */
    private float[][][] tiles = new float[0][][];
    private float[] mean = new float[0];
    private int dim = -1;
    private volatile boolean dirty;

    public ItemIndex() {
        this(false);
    }

    public ItemIndex(boolean centred) {
        this(centred, 1);
    }

    /** @param threads how many threads one {@link #searchBatch} call may use (at least 1) */
    public ItemIndex(boolean centred, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("An index searches on at least one thread, not " + threads);
        }
        this.centred = centred;
        this.threads = threads;
    }

    public int threads() {
        return threads;
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
            return dot(slot, query);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The k best items for the query, skipping excluded ones; ties go to the smaller item id. */
    public List<Hit> search(float[] query, int k, Collection<String> excluded) {
        return searchBatch(new float[][] {query}, k, List.of(excluded)).get(0);
    }

    /** {@link #search} for many queries at once, scored block by block (on up to {@code threads} threads). */
    public List<List<Hit>> searchBatch(float[][] queries, int k, List<? extends Collection<String>> excluded) {
        if (excluded.size() != queries.length) {
            throw new IllegalArgumentException(queries.length + " queries but " + excluded.size() + " exclusion sets");
        }
        rebuildIfDirty();
        @SuppressWarnings("unchecked")
        List<Hit>[] out = new List[queries.length];
        lock.readLock().lock();
        try {
            for (float[] q : queries) {
                if (q.length != dim && !ids.isEmpty()) {
                    throw new IllegalArgumentException("Query has " + q.length + " dimensions; the index holds " + dim);
                }
            }
            int blocks = (queries.length + QUERY_BLOCK - 1) / QUERY_BLOCK;
            int runs = Math.max(1, Math.min(threads, blocks));
            // runs 1.. go to the pool and run 0 to this thread; the pool's tasks only read what the lock guards,
            // and this thread holds the read lock until every one of them has been joined
            List<ForkJoinTask<?>> forked = new ArrayList<>(runs - 1);
            for (int r = 1; r < runs; r++) {
                int run = r;
                forked.add(ForkJoinPool.commonPool().submit(() -> searchBlocks(queries, k, excluded, out,
                        blocks * run / runs, blocks * (run + 1) / runs)));
            }
            try {
                searchBlocks(queries, k, excluded, out, 0, blocks / runs);
            } finally {
                for (ForkJoinTask<?> task : forked) {
                    task.join();
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        return Arrays.asList(out);
    }

    /** Scores query blocks {@code fromBlock .. toBlock} and writes their top-k into {@code out}. */
    private void searchBlocks(float[][] queries, int k, List<? extends Collection<String>> excluded, List<Hit>[] out,
            int fromBlock, int toBlock) {
        boolean[] skip = new boolean[ids.size()];
        for (int block = fromBlock; block < toBlock; block++) {
            int from = block * QUERY_BLOCK;
            int b = Math.min(QUERY_BLOCK, queries.length - from);
            float[][] scores = new float[b][ids.size()];
            scoreBlock(queries, from, b, scores);
            for (int q = 0; q < b; q++) {
                out[from + q] = topK(scores[q], k, excluded.get(from + q), skip);
            }
        }
    }

    /**
     * Scores every item for queries {@code from .. from+b} into {@code scores[q][item]}.
     *
     * <p>Items are stored tile by tile, dimension-major inside a tile ({@code tiles[t][d][i]}: dimension d of
     * the tile's i-th item), so the innermost loop runs over the items of a tile with the query values held
     * fixed, which the JIT turns into vector multiplies and adds; four dimensions are folded in per pass, so
     * each running sum is loaded and stored once per four multiply-adds, and two queries share a pass, so each
     * row value loaded serves two sums (a block of odd size scores its last query alone). A tile's four rows (2 KiB) and the
     * block's running sums (8 KiB) stay in the L1 cache while every query of the block passes over them.
     * Each sum still starts at zero and adds the products over d in increasing order, one rounding per
     * multiply and per add, exactly as {@link #dot} does: a query scores the same bits alone, in a batch,
     * or through {@link #score}.
     */
    private void scoreBlock(float[][] queries, int from, int b, float[][] scores) {
        int n = ids.size();
        float[][][] ts = tiles;
        float[][] acc = new float[b][TILE];
        int whole = dim - dim % 4;
        for (int t = 0; t < ts.length; t++) {
            float[][] tile = ts[t];
            for (int q = 0; q < b; q++) {
                Arrays.fill(acc[q], 0f);
            }
            for (int d = 0; d < whole; d += 4) {
                float[] r0 = tile[d];
                float[] r1 = tile[d + 1];
                float[] r2 = tile[d + 2];
                float[] r3 = tile[d + 3];
                int q = 0;
                // two queries per pass over the four rows: each row value loaded serves both running sums
                for (; q + 1 < b; q += 2) {
                    float[] v = queries[from + q];
                    float[] w = queries[from + q + 1];
                    float[] a = acc[q];
                    float[] c = acc[q + 1];
                    float x0 = v[d];
                    float x1 = v[d + 1];
                    float x2 = v[d + 2];
                    float x3 = v[d + 3];
                    float y0 = w[d];
                    float y1 = w[d + 1];
                    float y2 = w[d + 2];
                    float y3 = w[d + 3];
                    for (int i = 0; i < TILE; i++) {
                        float e0 = r0[i];
                        float e1 = r1[i];
                        float e2 = r2[i];
                        float e3 = r3[i];
                        a[i] = (((a[i] + e0 * x0) + e1 * x1) + e2 * x2) + e3 * x3;
                        c[i] = (((c[i] + e0 * y0) + e1 * y1) + e2 * y2) + e3 * y3;
                    }
                }
                for (; q < b; q++) {
                    float[] v = queries[from + q];
                    float[] a = acc[q];
                    float x0 = v[d];
                    float x1 = v[d + 1];
                    float x2 = v[d + 2];
                    float x3 = v[d + 3];
                    for (int i = 0; i < TILE; i++) {
                        a[i] = (((a[i] + r0[i] * x0) + r1[i] * x1) + r2[i] * x2) + r3[i] * x3;
                    }
                }
            }
            for (int d = whole; d < dim; d++) {
                float[] r = tile[d];
                for (int q = 0; q < b; q++) {
                    float[] a = acc[q];
                    float x = queries[from + q][d];
                    for (int i = 0; i < TILE; i++) {
                        a[i] += r[i] * x;
                    }
                }
            }
            int first = t * TILE;
            int count = Math.min(TILE, n - first);
            for (int q = 0; q < b; q++) {
                System.arraycopy(acc[q], 0, scores[q], first, count);
            }
        }
    }

    /** The reference sum: zero plus each product over d in increasing order, as every path computes it. */
    private float dot(int slot, float[] v) {
        float[][] tile = tiles[slot / TILE];
        int i = slot % TILE;
        float s = 0;
        for (int d = 0; d < dim; d++) {
            s += tile[d][i] * v[d];
        }
        return s;
    }

    /**
     * Selection of the k best scores with a bounded min-heap of slots; deterministic tie-break on id. The
     * excluded ids are turned into marks on their slots first ({@code skip}, all false on entry and on
     * return), so the scan tests one flag per item instead of hashing every item id.
     */
    private List<Hit> topK(float[] scores, int k, Collection<String> excluded, boolean[] skip) {
        List<Integer> marked = new ArrayList<>(excluded.size());
        for (String id : excluded) {
            Integer slot = slots.get(id);
            if (slot != null && !skip[slot]) {
                skip[slot] = true;
                marked.add(slot);
            }
        }
        int[] heap = new int[Math.max(k, 1)];
        int size = 0;
        // the heap's worst score, once it is full: most items score below it and are passed over on one compare
        float worst = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < scores.length; i++) {
            if (skip[i]) {
                continue;
            }
            if (size < k) {
                heap[size] = i;
                siftUp(heap, size++, scores);
                if (size == k) {
                    worst = scores[heap[0]];
                }
            } else if (k > 0 && scores[i] >= worst && better(i, heap[0], scores)) {
                heap[0] = i;
                siftDown(heap, size, scores);
                worst = scores[heap[0]];
            }
        }
        for (int slot : marked) {
            skip[slot] = false;
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
            int dims = Math.max(dim, 0);
            float[] mu = centred ? catalogueMean() : new float[dims];
            float[][][] ts = new float[(n + TILE - 1) / TILE][dims][TILE];
            float[] row = new float[dims];
            for (int i = 0; i < n; i++) {
                float[] v = raw.get(i);
                double norm = 0;
                for (int d = 0; d < dim; d++) {
                    float x = v[d] - mu[d];
                    row[d] = x;
                    norm += x * x;
                }
                if (centred) {
                    float inv = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
                    for (int d = 0; d < dim; d++) {
                        row[d] *= inv;
                    }
                }
                float[][] tile = ts[i / TILE];
                for (int d = 0; d < dim; d++) {
                    tile[d][i % TILE] = row[d];
                }
            }
            if (!centred) {
                mu = catalogueMean();
            }
            tiles = ts;
            mean = mu;
            dirty = false;
        } finally {
            lock.writeLock().unlock();
        }
    }
}
