package org.crsaug.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one poll loop of the tests: waiting for something asynchronous to have happened, failing with what was
 * awaited instead of hanging. Never use it (or a sleep) to show that something did <em>not</em> happen; wait
 * for a later event that did instead.
 */
public final class Await {

    private static final long POLL_MS = 50;

    private Await() {
    }

    /** Polls the condition; an AssertionError naming {@code what} when it stays false past the timeout. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        value(what, timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
    }

    /** Polls the probe until it returns something other than null and returns that. */
    public static <T> T value(String what, Duration timeout, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not met within " + timeout + ": " + what);
            }
            Thread.sleep(POLL_MS);
        }
    }
}
