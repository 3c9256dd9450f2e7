package org.crsaug.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What this machine's cores do at best on float multiply-adds, measured rather than taken from a data sheet:
 * {@code c[i] = a[i] * s + c[i]} over arrays small enough to stay in the L1 cache, which the JIT turns into
 * vector fused multiply-adds. The best of several timed trials counts (a trial the load of the machine slowed
 * is not the machine's peak). It is the yardstick of {@link SearchPeer}: FLOPs of a query over this rate is
 * the least time a query can take.
 */
final class FmaPeak {

    /** 3 arrays of 1,024 floats: 12 KiB, inside any L1 data cache. */
    private static final int LENGTH = 1024;
    private static final int PASSES = 20_000;

    private FmaPeak() {
    }

    /** Best GFLOP/s (2 FLOPs per multiply-add) of one thread, over {@code trials} trials. */
    static double oneThread(int trials) {
        double best = 0;
        for (int t = 0; t < trials; t++) {
            best = Math.max(best, trial());
        }
        return best;
    }

    /** Best summed GFLOP/s of {@code threads} threads running the loop at once. */
    static double allThreads(int threads, int trials) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double best = 0;
            for (int t = 0; t < trials; t++) {
                List<Future<Double>> running = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    running.add(pool.submit((Callable<Double>) FmaPeak::trial));
                }
                double sum = 0;
                for (Future<Double> f : running) {
                    sum += f.get();
                }
                best = Math.max(best, sum);
            }
            return best;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** One timed trial after an untimed one (which also lets C2 compile the loop): GFLOP/s. */
    private static double trial() {
        float[] a = new float[LENGTH];
        float[] c = new float[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            a[i] = 1e-3f * (i % 7);
        }
        float s = 0.999f;
        loop(a, c, s, PASSES);
        long t0 = System.nanoTime();
        loop(a, c, s, PASSES);
        double seconds = (System.nanoTime() - t0) / 1e9;
        // the result is read, so the JIT cannot drop the work
        if (Float.isNaN(c[LENGTH / 2])) {
            throw new IllegalStateException("NaN in the multiply-add loop");
        }
        return 2.0 * LENGTH * PASSES / seconds / 1e9;
    }

    private static void loop(float[] a, float[] c, float s, int passes) {
        for (int p = 0; p < passes; p++) {
            for (int i = 0; i < LENGTH; i++) {
                c[i] = Math.fma(a[i], s, c[i]);
            }
        }
    }
}
