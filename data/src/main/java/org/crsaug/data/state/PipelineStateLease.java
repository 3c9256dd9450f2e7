package org.crsaug.data.state;

import java.time.Duration;
import java.util.function.Function;
import org.crsaug.platform.kafka.Platform;

/**
 * A {@link PipelineState} held only while it is in use: opened on the first {@link #use}, closed once
 * nobody asked for it for {@code idle}. A trainer or evaluator needs the whole training or test set while it
 * works, but a continuous pipeline works in short bursts (a round, the evaluations of its checkpoints) minutes
 * apart; a state kept between them held every dialogue, label and context vector twice for nothing, and was
 * most of the heap growth a 30-minute soak of {@code crs up} measured. Reading the topics again at the next
 * burst costs seconds; a state rebuilt from the same offsets is the same state.
 *
 * <p>Used by one thread (the service's worker); not thread-safe.
 */
public final class PipelineStateLease implements AutoCloseable {

    /** Long enough that the bursts of one round (every mode's checkpoint, each one's evaluation) share a state. */
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(30);

    private final Platform platform;
    private final String clientId;
    private final long idleMs;
    private PipelineState state;
    private long lastUsedMs;

    public PipelineStateLease(Platform platform, String clientId, Duration idle) {
        this.platform = platform;
        this.clientId = clientId;
        this.idleMs = idle.toMillis();
    }

    /**
     * Runs {@code work} with the state, opened now if it was released (then empty: {@code work} catches it up);
     * the idle time counts from the end of {@code work}, however long it took.
     */
    public <T> T use(Function<PipelineState, T> work) {
        if (state == null) {
            state = new PipelineState(platform, clientId);
        }
        try {
            return work.apply(state);
        } finally {
            lastUsedMs = System.currentTimeMillis();
        }
    }

    /** Closes the state when it has not been asked for during the idle time; true when it did. */
    public boolean releaseIfIdle() {
        if (state != null && System.currentTimeMillis() - lastUsedMs >= idleMs) {
            close();
            return true;
        }
        return false;
    }

    /** Whether a state is held now. */
    public boolean held() {
        return state != null;
    }

    @Override
    public void close() {
        if (state != null) {
            PipelineState s = state;
            state = null;
            s.close();
        }
    }
}
