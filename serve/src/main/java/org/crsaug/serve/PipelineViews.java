package org.crsaug.serve;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.crsaug.data.state.CheckpointHistory;
import org.crsaug.platform.http.HttpError;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.service.WorkerService;
import org.crsaug.platform.topic.TopicLag;

/**
 * The read side that the serve HTTP server shows besides recommendations: a {@link DialogueView} and a
 * {@link CheckpointHistory}, kept current by one background thread, and the topics' offsets and lag
 * asked of the broker on demand. The routes ask {@link #dialogues()} and {@link #checkpoints()}, which
 * refuse with 503 until the topics have been read to their end once (a 404 before that would be a lie).
 */
public final class PipelineViews extends WorkerService implements AutoCloseable {

    /** How long an answer about topic offsets is reused: several open dashboards must not each load the broker. */
    private static final long TOPICS_TTL_MS = 2_000;
    /** Generous: the first catch-up reads whole topics, which on a long-running pipeline hold millions of records. */
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(10);

    private final Platform platform;
    private final int maxDialogues;
    private volatile DialogueView dialogues;
    private volatile CheckpointHistory checkpoints;
    private Admin admin;
    private List<TopicLag.Row> topics;
    private long topicsAtMs;

    public PipelineViews(Platform platform) {
        this(platform, platform.config().getInt(DialogueView.MAX_DIALOGUES_KEY));
    }

    public PipelineViews(Platform platform, int maxDialogues) {
        super("serve-views");
        this.platform = platform;
        this.maxDialogues = maxDialogues;
    }

    public Platform platform() {
        return platform;
    }

    @Override
    protected void work() throws InterruptedException {
        // opened here, not in start(): the followers wait for their topics, which must not hold up binding
        try (DialogueView d = new DialogueView(platform, "crs-serve-view", maxDialogues);
                CheckpointHistory h = new CheckpointHistory(platform, "crs-serve-view")) {
            dialogues = d;
            checkpoints = h;
            while (running()) {
                d.catchUp(CATCH_UP_TIMEOUT);
                h.catchUp(CATCH_UP_TIMEOUT);
                markReady();
                // the polling period of the follower, like the engine's; new records wait at most this long
                Thread.sleep(500);
            }
        }
    }

    /** The dialogue view, once it has read its topics to the end. */
    public DialogueView dialogues() {
        requireCaughtUp();
        return dialogues;
    }

    /** Every checkpoint with its evaluations, once read to the end. */
    public CheckpointHistory checkpoints() {
        requireCaughtUp();
        return checkpoints;
    }

    private void requireCaughtUp() {
        Throwable f = failure();
        if (f != null) {
            throw new HttpError(503, "The views stopped following the pipeline's topics: " + f.getMessage()
                    + " (see the log; restart crs serve)");
        }
        if (!isReady()) {
            throw new HttpError(503, "Still reading the pipeline's topics; try again in a moment");
        }
    }

    /** Offsets held and consumer lag per topic, at most {@link #TOPICS_TTL_MS} old. */
    public synchronized List<TopicLag.Row> topics() {
        long now = System.currentTimeMillis();
        if (topics == null || now - topicsAtMs > TOPICS_TTL_MS) {
            if (admin == null) {
                admin = Admin.create(platform.adminProps());
            }
            try {
                topics = TopicLag.collect(admin, platform);
            } catch (IllegalStateException e) {
                throw new HttpError(503, e.getMessage());
            }
            topicsAtMs = now;
        }
        return topics;
    }

    @Override
    public synchronized void stop() {
        super.stop();
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
