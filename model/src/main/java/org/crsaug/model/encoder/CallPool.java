package org.crsaug.model.encoder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Runs one thread-safe call on many inputs side by side, one input per call, on the caller's thread and up to
 * {@code threads - 1} workers. The pool owns what the call uses ({@code resource}) and closes it.
 */
final class CallPool<I, O> implements AutoCloseable {

    /** One input's call; it may run on several threads at once. */
    @FunctionalInterface
    interface Call<I, O> {
        O apply(I input) throws Exception;
    }

    private final Call<I, O> call;
    private final AutoCloseable resource;
    private final String owner;
    private final int threads;
    /** Null with one thread: then everything runs on the caller's thread. */
    private final ExecutorService workers;
    /**
     * Calls share the read side; close() takes the write side, so it never frees the resource while a call
     * runs, and a call after it fails instead of touching freed native memory.
     */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    /**
     * Graph calls running now, across every caller: several callers at once (the retriever's stream threads,
     * one per partition) each drain their own inputs, but no more than {@code threads} calls run together, so
     * the cores are not oversubscribed and a call keeps its core's caches.
     */
    private final java.util.concurrent.Semaphore running;
    private boolean closed;

    /**
     * @param owner   names the pool in errors and its worker threads
     * @param threads calls run at once; 1 runs them on the caller's thread only
     */
    CallPool(Call<I, O> call, AutoCloseable resource, int threads, String owner, String threadPrefix) {
        this.call = call;
        this.resource = resource;
        this.owner = owner;
        this.threads = threads;
        // fair: a thread that releases a permit and asks again at once queues behind those already waiting;
        // unfair, the two threads draining one caller's inputs kept the permits and starved a third caller (a
        // stream thread) until its transaction timed out
        this.running = new java.util.concurrent.Semaphore(threads, true);
        AtomicInteger workerNumber = new AtomicInteger();
        this.workers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, threadPrefix + workerNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Calls every input alone and writes the result to {@code out[offset + i]}, so the result does not depend
     * on how the calls were spread.
     *
     * @throws EncoderException naming the owner, when a call fails
     */
    void applyAll(List<I> inputs, O[] out, int offset) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException(owner + " is closed");
            }
            if (workers == null || inputs.size() < 2) {
                for (int i = 0; i < inputs.size(); i++) {
                    out[offset + i] = apply(inputs.get(i));
                }
                return;
            }
            spread(inputs, out, offset);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void spread(List<I> inputs, O[] out, int offset) {
        AtomicInteger next = new AtomicInteger();
        Callable<Void> drain = () -> {
            for (int i = next.getAndIncrement(); i < inputs.size(); i = next.getAndIncrement()) {
                out[offset + i] = apply(inputs.get(i));
            }
            return null;
        };
        List<Future<Void>> helpers = new ArrayList<>();
        List<AtomicBoolean> claims = new ArrayList<>();
        for (int w = 0; w < Math.min(threads - 1, inputs.size() - 1); w++) {
            AtomicBoolean claim = new AtomicBoolean();
            claims.add(claim);
            // a helper only drains if it starts before the caller has given up on it (see below)
            helpers.add(workers.submit(() -> claim.compareAndSet(false, true) ? drain.call() : null));
        }
        try {
            drain.call();
            for (int h = 0; h < helpers.size(); h++) {
                // A helper still queued behind another caller's work has nothing left to do here: the caller
                // claims it, so it will do nothing when it runs, and does not wait for that other work (a stream
                // thread waiting that long would see its transaction time out). A helper that started first is
                // waited for: it finishes the input it holds.
                if (!claims.get(h).compareAndSet(false, true)) {
                    helpers.get(h).get();
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(owner + " failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            helpers.forEach(f -> f.cancel(true));
            throw new IllegalStateException("Interrupted in " + owner, e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(owner + " failed: " + e, e);
        }
    }

    private O apply(I input) {
        running.acquireUninterruptibly();
        try {
            return call.apply(input);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new EncoderException(owner + " failed: " + e.getMessage(), e);
        } finally {
            running.release();
        }
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (workers != null) {
                // no call runs (the write lock), so the idle threads just need to end
                workers.shutdownNow();
            }
            resource.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Closing " + owner + " failed: " + e.getMessage(), e);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
