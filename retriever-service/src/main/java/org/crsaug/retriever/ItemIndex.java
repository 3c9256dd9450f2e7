package org.crsaug.retriever;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Exact maximum-inner-product search over all item vectors held in memory. A catalogue of a few
 * thousand 384-dim vectors scans in about a millisecond, so exactness costs nothing here.
 */
public final class ItemIndex {

    public record Hit(String itemId, float score) {
    }

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Integer> slots = new HashMap<>();
    private final List<String> ids = new ArrayList<>();
    private final List<float[]> vectors = new ArrayList<>();

    public void upsert(String itemId, float[] vector) {
        lock.writeLock().lock();
        try {
            Integer slot = slots.get(itemId);
            if (slot == null) {
                slots.put(itemId, ids.size());
                ids.add(itemId);
                vectors.add(vector);
            } else {
                vectors.set(slot, vector);
            }
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

    /** The k best items for the query, skipping excluded ones; ties go to the smaller item id. */
    public List<Hit> search(float[] query, int k, Collection<String> excluded) {
        Comparator<Hit> worstFirst = Comparator.comparingDouble(Hit::score)
                .thenComparing(Hit::itemId, Comparator.reverseOrder());
        PriorityQueue<Hit> best = new PriorityQueue<>(k + 1, worstFirst);
        lock.readLock().lock();
        try {
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                if (excluded.contains(id)) {
                    continue;
                }
                float[] v = vectors.get(i);
                float dot = 0f;
                for (int d = 0; d < v.length; d++) {
                    dot += v[d] * query[d];
                }
                Hit hit = new Hit(id, dot);
                if (best.size() < k) {
                    best.add(hit);
                } else if (worstFirst.compare(hit, best.peek()) > 0) {
                    best.poll();
                    best.add(hit);
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        List<Hit> out = new ArrayList<>(best);
        out.sort(worstFirst.reversed());
        return out;
    }
}
