package org.crsaug.retriever;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The k best items of one query, offered a tile of sums at a time: a bounded min-heap of slots whose root is the
 * worst item kept. Order is by score, then by the smaller item id, so the result is the same whatever order the
 * items are offered in. Excluded slots are looked up only for an item that would enter the heap: most items
 * score below the root and are passed over on one compare.
 */
final class TopK {

    private final int k;
    private final int[] excluded;
    private final List<String> ids;
    private final int[] heap;
    private final float[] heapScores;
    private int size;
    private float worst = Float.NEGATIVE_INFINITY;

    /**
     * @param excluded slots never to keep, sorted
     * @param ids      item id of every slot, for the tie-break
     */
    TopK(int k, int[] excluded, List<String> ids) {
        this.k = Math.max(k, 0);
        this.excluded = excluded;
        this.ids = ids;
        this.heap = new int[this.k];
        this.heapScores = new float[this.k];
    }

    /** Offers items {@code base .. base+count} with their scores {@code sums[0 .. count]}. */
    void offer(float[] sums, int base, int count) {
        if (k == 0) {
            return;
        }
        for (int i = 0; i < count; i++) {
            float s = sums[i];
            int slot = base + i;
            if (size == k) {
                if (s < worst || !better(s, slot, heapScores[0], heap[0]) || isExcluded(slot)) {
                    continue;
                }
                heap[0] = slot;
                heapScores[0] = s;
                siftDown();
                worst = heapScores[0];
            } else if (!isExcluded(slot)) {
                heap[size] = slot;
                heapScores[size] = s;
                siftUp(size++);
                if (size == k) {
                    worst = heapScores[0];
                }
            }
        }
    }

    /** The items kept, best first. */
    List<ItemIndex.Hit> hits() {
        List<ItemIndex.Hit> out = new ArrayList<>(size);
        for (int j = 0; j < size; j++) {
            out.add(new ItemIndex.Hit(ids.get(heap[j]), heapScores[j]));
        }
        out.sort((x, y) -> x.score() != y.score() ? Float.compare(y.score(), x.score())
                : x.itemId().compareTo(y.itemId()));
        return out;
    }

    private boolean isExcluded(int slot) {
        return excluded.length > 0 && Arrays.binarySearch(excluded, slot) >= 0;
    }

    /** Whether item a (score sa) ranks before item b (score sb). */
    private boolean better(float sa, int a, float sb, int b) {
        if (sa != sb) {
            return sa > sb;
        }
        return ids.get(a).compareTo(ids.get(b)) < 0;
    }

    private boolean better(int at, int other) {
        return better(heapScores[at], heap[at], heapScores[other], heap[other]);
    }

    private void siftUp(int at) {
        while (at > 0) {
            int parent = (at - 1) / 2;
            if (!better(parent, at)) {
                break;
            }
            swap(parent, at);
            at = parent;
        }
    }

    private void siftDown() {
        int at = 0;
        while (true) {
            int l = 2 * at + 1;
            int r = l + 1;
            int worse = at;
            if (l < size && better(worse, l)) {
                worse = l;
            }
            if (r < size && better(worse, r)) {
                worse = r;
            }
            if (worse == at) {
                return;
            }
            swap(worse, at);
            at = worse;
        }
    }

    private void swap(int a, int b) {
        int slot = heap[a];
        heap[a] = heap[b];
        heap[b] = slot;
        float s = heapScores[a];
        heapScores[a] = heapScores[b];
        heapScores[b] = s;
    }
}
