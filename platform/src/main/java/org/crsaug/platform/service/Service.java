package org.crsaug.platform.service;

/**
 * The one lifecycle every service and embedded component follows, so the launcher can start,
 * watch and stop any of them the same way whether they share a JVM or run alone.
 */
public interface Service extends AutoCloseable {

    String name();

    /** Starts background work and returns; {@link #isReady()} tells when it is serving. */
    void start();

    /** Stops and releases everything; idempotent. */
    void stop();

    /** True once the service has caught up enough to do useful work (e.g. its stream threads run). */
    boolean isReady();

    /**
     * A passing condition a person watching should see (paused, retrying: what, why, next try), empty while
     * the service simply works. Unlike {@link #failure()} it mends by itself.
     */
    default java.util.Optional<String> condition() {
        return java.util.Optional.empty();
    }

    /** The error that stopped the service, or null while it is healthy. */
    default Throwable failure() {
        return null;
    }

    @Override
    default void close() {
        stop();
    }

    /** Stops the service when the JVM exits (Ctrl-C, SIGTERM), so offsets and files are left clean. */
    default Service stopOnShutdown() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, name() + "-shutdown"));
        return this;
    }

    /** Blocks until ready or the timeout passes; returns whether it became ready. */
    default boolean awaitReady(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isReady()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }
}
