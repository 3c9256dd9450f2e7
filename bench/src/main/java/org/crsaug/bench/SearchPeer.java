package org.crsaug.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.crsaug.retriever.ItemIndex;

/**
 * The exact search against its physical limit: ms/query of {@link ItemIndex} (the retriever's own index), one
 * query at a time and batched, next to the least time the arithmetic allows: FLOPs per query (a multiply and an
 * add per item and dimension) over the multiply-add peak {@link FmaPeak} measures in the same run. One thread is
 * held to the one-thread peak; the batch split over every core ({@code retriever.search.threads}) to the summed
 * peak of all cores. Random unit vectors stand in for encoded ones: the work does not depend on the values.
 */
final class SearchPeer {

    /** ms/query of the exact search beside the least time the arithmetic allows. */
    static final double TARGET_MS = 0.15;

    /** The figures of one run. */
    record Result(int items, int dim, int cores, double peakGflops, double allCoresGflops, double singleMs,
            double batchedMs, double batchedAllCoresMs) {

        double flops() {
            return 2.0 * items * dim;
        }

        double limitMs() {
            return flops() / (peakGflops * 1e9) * 1e3;
        }

        double allCoresLimitMs() {
            return flops() / (allCoresGflops * 1e9) * 1e3;
        }

        double singleRatio() {
            return singleMs / limitMs();
        }

        double batchedRatio() {
            return batchedMs / limitMs();
        }

        double batchedAllCoresRatio() {
            return batchedAllCoresMs / allCoresLimitMs();
        }
    }

    private final PrintStream out;
    private final int repeats;

    SearchPeer(PrintStream out, int repeats) {
        this.out = out;
        this.repeats = repeats;
    }

    Result run(int items, int dim, int queries, int k) {
        int cores = Runtime.getRuntime().availableProcessors();
        Random rnd = new Random(17);
        ItemIndex index = new ItemIndex(false, 1);
        ItemIndex split = new ItemIndex(false, cores);
        for (int i = 0; i < items; i++) {
            float[] v = unit(dim, rnd);
            String id = String.format(Locale.ROOT, "item-%06d", i);
            index.upsert(id, v);
            split.upsert(id, v);
        }
        float[][] q = new float[queries][];
        List<Set<String>> excluded = new ArrayList<>(queries);
        for (int i = 0; i < queries; i++) {
            q[i] = unit(dim, rnd);
            excluded.add(Set.of());
        }
        double peak = FmaPeak.oneThread(20);
        double allCores = FmaPeak.allThreads(cores, 10);
        // untimed passes, so that the JIT has compiled every path before the clock runs
        index.searchBatch(q, k, excluded);
        split.searchBatch(q, k, excluded);
        double[] batched = new double[repeats];
        double[] batchedAll = new double[repeats];
        double[] single = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            index.searchBatch(q, k, excluded);
            batched[r] = (System.nanoTime() - t0) / 1e6 / queries;
            t0 = System.nanoTime();
            split.searchBatch(q, k, excluded);
            batchedAll[r] = (System.nanoTime() - t0) / 1e6 / queries;
            t0 = System.nanoTime();
            for (int i = 0; i < queries; i++) {
                index.search(q[i], k, excluded.get(i));
            }
            single[r] = (System.nanoTime() - t0) / 1e6 / queries;
        }
        Result res = new Result(items, dim, cores, peak, allCores, Stats.median(single), Stats.median(batched),
                Stats.median(batchedAll));
        out.printf(Locale.ROOT, "search: top-%d over %d items x %d dims, %d queries, median of %d runs%n", k, items, dim,
                queries, repeats);
        out.printf(Locale.ROOT, "  fused multiply-add peak: %.2f GFLOP/s on one thread, %.2f on all %d cores%n", peak,
                allCores, cores);
        out.printf(Locale.ROOT, "  limit: %.2f MFLOP/query / %.2f GFLOP/s = %.4f ms/query on one thread,"
                + " %.4f on all cores%n", res.flops() / 1e6, peak, res.limitMs(), res.allCoresLimitMs());
        out.printf(Locale.ROOT, "  %-20s %.4f ms/query = %.2fx the one-thread limit%n", "one at a time",
                res.singleMs(), res.singleRatio());
        out.printf(Locale.ROOT, "  %-20s %.4f ms/query = %.2fx the one-thread limit%n", "batched, 1 thread",
                res.batchedMs(), res.batchedRatio());
        out.printf(Locale.ROOT, "  %-20s %.4f ms/query = %.2fx the all-core limit%n", "batched, " + cores + " threads",
                res.batchedAllCoresMs(), res.batchedAllCoresRatio());
        return res;
    }

    private static float[] unit(int dim, Random rnd) {
        float[] v = new float[dim];
        double norm = 0;
        for (int d = 0; d < dim; d++) {
            v[d] = (float) rnd.nextGaussian();
            norm += v[d] * v[d];
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < dim; d++) {
            v[d] *= inv;
        }
        return v;
    }
}
