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
 * as a small matrix product in vector instructions (see scoreTile), and a batch passes over the catalogue tile
 * by tile with every query's top-k taken as it goes (see searchBlocks): a ReDial-sized scan takes less time
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

    /**
     * Searches the queries of blocks {@code fromBlock .. toBlock}, tile by tile: every block passes over a tile
     * while it is in the cache, and each query's {@link TopK} takes the tile's sums at once. The catalogue (10.6
     * MB for ReDial) is then read from memory once per call and thread instead of once per block of 16 queries,
     * and no row of scores is written and read back.
     */
    private void searchBlocks(float[][] queries, int k, List<? extends Collection<String>> excluded, List<Hit>[] out,
            int fromBlock, int toBlock) {
        int first = fromBlock * QUERY_BLOCK;
        int end = Math.min(toBlock * QUERY_BLOCK, queries.length);
        TopK[] best = new TopK[Math.max(end - first, 0)];
        for (int q = first; q < end; q++) {
            best[q - first] = new TopK(k, slotsOf(excluded.get(q)), ids);
        }
        int n = ids.size();
        float[][][] ts = tiles;
        float[][] acc = new float[QUERY_BLOCK][TILE];
        for (int t = 0; t < ts.length; t++) {
            int base = t * TILE;
            int count = Math.min(TILE, n - base);
            for (int from = first; from < end; from += QUERY_BLOCK) {
                int b = Math.min(QUERY_BLOCK, end - from);
                scoreTile(ts[t], queries, from, b, acc);
                for (int q = 0; q < b; q++) {
                    best[from + q - first].offer(acc[q], base, count);
                }
            }
        }
        for (int q = first; q < end; q++) {
            out[q] = best[q - first].hits();
        }
    }

    /** The slots of the given ids that are indexed, sorted; unknown ids are left out. */
    private int[] slotsOf(Collection<String> excluded) {
        int[] out = new int[excluded.size()];
        int n = 0;
        for (String id : excluded) {
            Integer slot = slots.get(id);
            if (slot != null) {
                out[n++] = slot;
            }
        }
        int[] sorted = Arrays.copyOf(out, n);
        Arrays.sort(sorted);
        return sorted;
    }

    /**
     * Scores the items of one tile for queries {@code from .. from+b} into {@code acc[q][i]}.
     *
     * <p>Items are stored tile by tile, dimension-major inside a tile ({@code tile[d][i]}: dimension d of
     * the tile's i-th item), so the innermost loop runs over the items of a tile with the query values held
     * fixed, which the JIT turns into vector multiplies and adds; four dimensions are folded in per pass, so
     * each running sum is loaded and stored once per four multiply-adds, and two queries share a pass, so each
     * row value loaded serves two sums (a block of odd size scores its last query alone). A tile's four rows
     * (2 KiB) and the block's running sums (8 KiB) stay in the L1 cache while every query of the block passes
     * over them. Each sum still starts at zero and adds the products over d in increasing order, one rounding
     * per multiply and per add, exactly as {@link #dot} does: a query scores the same bits alone, in a batch,
     * or through {@link #score}.
     */
    private void scoreTile(float[][] tile, float[][] queries, int from, int b, float[][] acc) {
        int whole = dim - dim % 4;
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
