package org.crsaug.model.llm;

/**
 * Paces calls so that this process stays under its share of a requests-per-minute and (optionally)
 * tokens-per-minute budget. Calls are spread evenly instead of bursting, which keeps a provider's
 * own limiter from answering 429.
 *
 * <p>Sharing between replicas: the configured budget is for all replicas together, and each process
 * takes {@code budget / scorer.replicas}. That needs no coordination traffic and can never overshoot;
 * its price is that a replica that is idle leaves its share unused, so set {@code scorer.replicas}
 * to the number actually running. Stream threads of one process share one limiter.
 */
public final class RequestLimiter {

    private final double msPerRequest;
    private final double msPerToken;
    private double nextRequestAt;
    private double nextTokenAt;

    /** Zero or negative means no limit for that dimension. */
    public RequestLimiter(double requestsPerMinute, double tokensPerMinute) {
        this.msPerRequest = requestsPerMinute > 0 ? 60_000.0 / requestsPerMinute : 0;
        this.msPerToken = tokensPerMinute > 0 ? 60_000.0 / tokensPerMinute : 0;
    }

    /**
     * Reserves a slot for one call of about {@code tokens} tokens and waits for it.
     *
     * @return false when the slot lies beyond {@code deadlineNanos} (nothing is reserved then)
     */
    public boolean acquire(long tokens, long deadlineNanos) throws InterruptedException {
        double now = System.nanoTime() / 1e6;
        double startAt;
        synchronized (this) {
            double request = Math.max(now, nextRequestAt);
            double token = Math.max(now, nextTokenAt);
            startAt = Math.max(request, token);
            if (startAt * 1e6 > deadlineNanos) {
                return false;
            }
            nextRequestAt = startAt + msPerRequest;
            nextTokenAt = startAt + msPerToken * tokens;
        }
        long waitMs = (long) Math.ceil(startAt - now);
        if (waitMs > 0) {
            Thread.sleep(waitMs);
        }
        return true;
    }

    /** After a 429 the provider knows better than our pacing: nobody here starts before it allows. */
    public synchronized void holdOff(long millis) {
        double until = System.nanoTime() / 1e6 + millis;
        nextRequestAt = Math.max(nextRequestAt, until);
    }
}
