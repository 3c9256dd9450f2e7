package org.crsaug.launcher;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C or SIGTERM for a command that works on its own thread until done ({@code crs run}): the signal
 * interrupts that thread and the JVM halts only once the command has stopped what it started (streams
 * commit or abort, the broker closes its logs). Without it the JVM tears everything down under the running
 * work and the person sees Kafka Streams' stack traces instead of one line saying what happened.
 */
final class StopSignal implements AutoCloseable {

    private static final long GRACE_SECONDS = 60;

    private final Thread worker;
    private final Thread hook;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean received;

    private StopSignal(String command) {
        this.worker = Thread.currentThread();
        this.hook = new Thread(() -> {
            received = true;
            worker.interrupt();
            try {
                stopped.await(GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, command.replace(' ', '-') + "-shutdown");
    }

    /** Watches for a stop signal on behalf of the calling thread until closed. */
    static StopSignal install(String command) {
        StopSignal s = new StopSignal(command);
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    /** True once Ctrl-C or SIGTERM arrived: an exception on the worker since then is the stop, not a fault. */
    boolean received() {
        return received;
    }

    /** Lets the JVM halt (after a signal) or forgets the hook (after a normal end). */
    @Override
    public void close() {
        stopped.countDown();
        if (!received) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the signal came just now: the hook runs and finds the latch open
            }
        }
    }
}
