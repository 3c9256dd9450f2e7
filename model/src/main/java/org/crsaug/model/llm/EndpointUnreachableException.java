package org.crsaug.model.llm;

import java.time.Duration;

/**
 * The judge's endpoint is down or overloaded (5xx, 429, timeouts, refused connections) after every
 * retry this context may spend. Unlike a refused key this mends by itself: the scorer pauses
 * processing for {@link #retryIn()} while its consumers keep polling, then judges the same
 * uncommitted context again.
 */
public class EndpointUnreachableException extends JudgeUnavailableException {

    private final Duration retryIn;

    public EndpointUnreachableException(String message, Throwable cause, Duration retryIn) {
        super(message, cause);
        this.retryIn = retryIn;
    }

    /** How long to wait before the next try: the provider's Retry-After or the backoff cap. */
    public Duration retryIn() {
        return retryIn;
    }
}
