package org.crsaug.platform.service;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Service} whose work is one loop on its own thread: subclasses implement {@link #work()},
 * call {@link #markReady()} once they serve, and check {@link #running()} between steps. A failure
 * ends the loop and is kept for {@link #failure()}, so callers see why instead of waiting forever.
 */
public abstract class WorkerService implements Service {

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String name;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean ready;
    private volatile Throwable failure;
    private Thread worker;

    protected WorkerService(String name) {
        this.name = name;
    }

    /** The loop; return when {@link #running()} turns false. Exceptions stop the service. */
    protected abstract void work() throws Exception;

    /** How long {@link #stop()} waits for the loop to finish its current step. */
    protected long stopTimeoutMs() {
        return 30_000;
    }

    /**
     * Whether {@link #stop()} also interrupts the loop's thread when it has not ended within
     * {@link #INTERRUPT_AFTER_MS}, for a service whose step can last minutes (a training round) and can be given
     * up safely: what it leaves half done is redone at the next start. An idle loop ends by itself before that
     * (it checks {@link #running()} every poll), so its clients close on a thread that was never interrupted.
     */
    protected boolean interruptOnStop() {
        return false;
    }

    /** How long {@link #stop()} lets the loop end by itself before interrupting it ({@link #interruptOnStop()}). */
    static final long INTERRUPT_AFTER_MS = 2_000;

    @Override
    public final String name() {
        return name;
    }

    @Override
    public synchronized void start() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        worker = new Thread(() -> {
            try {
                work();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                if (running.get()) {
                    failure = e;
                    log.error("{} stopped", name, e);
                }
            } finally {
                ready = false;
            }
        }, name);
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public synchronized void stop() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        try {
            if (interruptOnStop()) {
                worker.join(INTERRUPT_AFTER_MS);
                if (worker.isAlive()) {
                    worker.interrupt();
                }
            }
            worker.join(stopTimeoutMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    protected final boolean running() {
        return running.get();
    }

    protected final void markReady() {
        ready = true;
    }

    @Override
    public boolean isReady() {
        return ready && running.get();
    }

    @Override
    public Throwable failure() {
        return failure;
    }
}
