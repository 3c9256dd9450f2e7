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
 * query at a time and batched, next to the least time the arithmetic allows, FLOPs per query (a multiply and an
 * add per item and dimension) over the one-thread peak {@link FmaPeak} measures in the same run (the search runs
 * on one thread). Random unit vectors stand in for encoded ones: the work does not depend on the values.
 */
final class SearchPeer {

    /** The figures of one run. */
    record Result(int items, int dim, double peakGflops, double limitMs, double singleMs, double batchedMs) {
        double singleRatio() {
            return singleMs / limitMs;
        }

        double batchedRatio() {
            return batchedMs / limitMs;
        }
    }

    private final PrintStream out;
    private final int repeats;

    SearchPeer(PrintStream out, int repeats) {
        this.out = out;
        this.repeats = repeats;
    }

    Result run(int items, int dim, int queries, int k) {
        Random rnd = new Random(17);
        ItemIndex index = new ItemIndex();
        for (int i = 0; i < items; i++) {
            index.upsert(String.format(Locale.ROOT, "item-%06d", i), unit(dim, rnd));
        }
        float[][] q = new float[queries][];
        List<Set<String>> excluded = new ArrayList<>(queries);
        for (int i = 0; i < queries; i++) {
            q[i] = unit(dim, rnd);
            excluded.add(Set.of());
        }
        double peak = FmaPeak.oneThread(20);
        int cores = Runtime.getRuntime().availableProcessors();
        double allCores = FmaPeak.allThreads(cores, 10);
        double flops = 2.0 * items * dim;
        double limitMs = flops / (peak * 1e9) * 1e3;
        index.searchBatch(q, k, excluded);
        double[] batched = new double[repeats];
        double[] single = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            index.searchBatch(q, k, excluded);
            batched[r] = (System.nanoTime() - t0) / 1e6 / queries;
            t0 = System.nanoTime();
            for (int i = 0; i < queries; i++) {
                index.search(q[i], k, excluded.get(i));
            }
            single[r] = (System.nanoTime() - t0) / 1e6 / queries;
        }
        Result res = new Result(items, dim, peak, limitMs, Stats.median(single), Stats.median(batched));
        out.printf(Locale.ROOT, "search: top-%d over %d items x %d dims, %d queries, median of %d runs%n", k, items, dim,
                queries, repeats);
        out.printf(Locale.ROOT, "  fused multiply-add peak: %.2f GFLOP/s on one thread (%.2f on all %d cores)%n", peak,
                allCores, cores);
        out.printf(Locale.ROOT, "  limit: %.2f MFLOP/query / %.2f GFLOP/s = %.4f ms/query%n", flops / 1e6, peak, limitMs);
        out.printf(Locale.ROOT, "  one at a time %.4f ms/query = %.2fx the limit%n", res.singleMs(), res.singleRatio());
        out.printf(Locale.ROOT, "  batched       %.4f ms/query = %.2fx the limit%n", res.batchedMs(), res.batchedRatio());
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
