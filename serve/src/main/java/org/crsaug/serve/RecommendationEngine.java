package org.crsaug.serve;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.dataset.TitleIndex;
import org.crsaug.model.encoder.TextEncoder;
import org.crsaug.model.encoder.TextEncoders;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.service.Service;
import org.crsaug.platform.store.CheckpointDirectory;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.model.checkpoint.LoadedCheckpoint;
import org.crsaug.data.context.EncoderText;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Item;
import org.crsaug.schema.Turn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers "what should I recommend next?" for a dialogue with the best checkpoint published so far.
 * A background thread follows the checkpoints and items topics; when a checkpoint beats the served one
 * on the selection metric it is opened and swapped in without stopping requests. Contexts are rendered
 * and encoded exactly as the retriever does, so the model sees inputs like those it was trained on.
 */
public final class RecommendationEngine implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(RecommendationEngine.class);

    /** An item in an answer. */
    public record RecommendedItem(String itemId, String title, Integer year, float score) {
    }

    /**
     * An answer: the items, the checkpoint that chose them and a sentence presenting them, written by
     * the LLM or from the template ({@code replySource}).
     */
    public record Recommendation(String checkpointId, String dataset, List<RecommendedItem> items, String reply,
                                 String replySource) {
    }

    private final Platform platform;
    private final ServeSettings settings;
    private final ReplyWriter replies;
    private final EncoderText encoderText;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ReentrantReadWriteLock swapLock = new ReentrantReadWriteLock();
    private final Map<String, Item> items = new ConcurrentHashMap<>();
    private final List<Consumer<Checkpoint>> reloadListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile TitleIndex titles = TitleIndex.of(List.of());
    private volatile LoadedCheckpoint model;
    private volatile String lastRejection;
    private volatile boolean caughtUp;
    private volatile Throwable failure;
    private TextEncoder encoder;
    private Thread worker;

    public RecommendationEngine(Platform platform, ServeSettings settings) {
        this(platform, settings, ReplyWriter.template());
    }

    /** An engine whose answers are presented by {@code replies}; the engine closes it on stop. */
    public RecommendationEngine(Platform platform, ServeSettings settings, ReplyWriter replies) {
        this.platform = platform;
        this.settings = settings;
        this.replies = replies;
        this.encoderText = EncoderText.fromConfig(platform.config());
    }

    @Override
    public String name() {
        return "serve";
    }

    public ServeSettings settings() {
        return settings;
    }

    /** The platform it reads from, which the server's other views follow too. */
    public Platform platform() {
        return platform;
    }

    /** Called after a new checkpoint has been swapped in. */
    public void onReload(Consumer<Checkpoint> listener) {
        reloadListeners.add(listener);
    }

    @Override
    public synchronized void start() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        Path cache = platform.config().modelCache();
        encoder = TextEncoders.create(platform.config(), cache);
        worker = new Thread(this::follow, "serve-follower");
        worker.setDaemon(true);
        worker.start();
    }

    private void follow() {
        try (TopicFollower<Checkpoint> checkpoints = new TopicFollower<>(platform, Topics.CHECKPOINTS, "crs-serve-checkpoints");
                TopicFollower<Item> itemFollower = new TopicFollower<>(platform, Topics.ITEMS, "crs-serve-items")) {
            while (running.get()) {
                boolean itemsChanged = itemFollower.catchUp(r -> {
                    if (r.value() == null) {
                        items.remove(r.key());
                    } else if (r.value().getDataset().equals(settings.dataset())) {
                        items.put(r.key(), r.value());
                    }
                }, Duration.ofMinutes(2)) > 0;
                if (itemsChanged) {
                    titles = TitleIndex.of(new ArrayList<>(items.values()));
                }
                List<Checkpoint> published = new ArrayList<>();
                checkpoints.catchUp(r -> {
                    if (r.value() != null) {
                        published.add(r.value());
                        org.crsaug.platform.metrics.PipelineMeters.recordCheckpoint(r.value());
                    }
                }, Duration.ofMinutes(2));
                Checkpoint best = model == null ? null : model.checkpoint();
                // best first, and on to the next when one cannot be opened: a broken checkpoint at the
                // top must not leave a freshly started server with no model at all
                List<Checkpoint> better = new ArrayList<>();
                for (Checkpoint cp : published) {
                    if (CheckpointChoice.isBetter(cp, best, settings)) {
                        better.add(cp);
                    }
                }
                better.sort(CheckpointDirectory.bestFirst(settings.selectionMetric()));
                for (Checkpoint cp : better) {
                    if (load(cp)) {
                        break;
                    }
                }
                caughtUp = true;
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("The checkpoint follower stopped", e);
        }
    }

    /** Swaps {@code cp} in; false (with the reason kept) when it cannot serve. */
    private boolean load(Checkpoint cp) {
        LoadedCheckpoint opened;
        try {
            opened = LoadedCheckpoint.open(cp);
        } catch (Exception e) {
            reject(cp, "cannot open its artifact: " + e.getMessage());
            return false;
        }
        if (!opened.encoderId().equals(encoder.id()) || opened.contextDim() != encoder.dimension()) {
            opened.close();
            reject(cp, "it was trained on contexts from encoder " + opened.encoderId() + " but this server encodes"
                    + " with " + encoder.id() + " (set retriever.encoder to match)");
            return false;
        }
        LoadedCheckpoint old;
        swapLock.writeLock().lock();
        try {
            old = model;
            model = opened;
        } finally {
            swapLock.writeLock().unlock();
        }
        // no request can still hold the old model: each one reads it under the read lock
        if (old != null) {
            old.close();
        }
        LOG.info("Serving checkpoint {} ({} = {})", cp.getCheckpointId(), settings.selectionMetric(),
                cp.getMetrics().get(settings.selectionMetric()));
        reloadListeners.forEach(l -> l.accept(cp));
        return true;
    }

    private void reject(Checkpoint cp, String reason) {
        lastRejection = "checkpoint " + cp.getCheckpointId() + " was not loaded: " + reason;
        LOG.error(lastRejection);
    }

    /** Title or item id to item id, for the items of the served dataset. */
    public TitleIndex titles() {
        return titles;
    }

    /** The checkpoint answering requests now, or null before the first one is loaded. */
    public Checkpoint servedCheckpoint() {
        LoadedCheckpoint m = model;
        return m == null ? null : m.checkpoint();
    }

    /** Why the last better-looking checkpoint could not be used, or null. */
    public String lastRejection() {
        return lastRejection;
    }

    /**
     * The best {@code k} items for the dialogue so far; items it already mentions are never proposed.
     *
     * @throws IllegalStateException when no checkpoint is loaded yet
     */
    public Recommendation recommend(List<Turn> turns, int k) {
        if (k < 1 || k > ServeSettings.MAX_K) {
            throw new IllegalArgumentException("k must be between 1 and " + ServeSettings.MAX_K + ", got " + k);
        }
        // the same text the retriever encoded for the training contexts, or the model sees a stranger
        DialogueContext now = DialogueContexts.current("serve", settings.dataset(), turns);
        float[] context = encoder.encodeQueries(List.of(encoderText.of(now, items)))[0];
        List<RecommendedItem> out = new ArrayList<>();
        Checkpoint chosenBy;
        swapLock.readLock().lock();
        try {
            LoadedCheckpoint m = model;
            if (m == null) {
                throw new IllegalStateException(noModelMessage());
            }
            for (LoadedCheckpoint.Recommendation s : m.recommend(context, now.mentionedInOrder(), k)) {
                Item item = items.get(s.itemId());
                out.add(new RecommendedItem(s.itemId(), item == null ? s.itemId() : item.getTitle(),
                        item == null ? null : item.getYear(), s.score()));
            }
            chosenBy = m.checkpoint();
        } finally {
            swapLock.readLock().unlock();
        }
        // outside the lock: an LLM reply takes seconds and must not hold up a checkpoint swap
        ReplyWriter.Reply reply = replies.write(turns, out);
        return new Recommendation(chosenBy.getCheckpointId(), chosenBy.getDataset(), out, reply.text(),
                reply.source());
    }

    private String noModelMessage() {
        String base = "No " + settings.dataset() + " checkpoint with metric '" + settings.selectionMetric()
                + "' has been published yet; train one with 'crs run --dataset " + settings.dataset() + "'"
                + " (or start the trainer service) and this server loads it automatically";
        return lastRejection == null ? base : base + ". Last problem: " + lastRejection;
    }

    @Override
    public synchronized void stop() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        worker.interrupt();
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        swapLock.writeLock().lock();
        try {
            if (model != null) {
                model.close();
                model = null;
            }
        } finally {
            swapLock.writeLock().unlock();
        }
        encoder.close();
        replies.close();
    }

    /**
     * Why {@code /api/recommend} cannot answer now, or empty when it can: what an HTTP readiness probe means.
     * {@link #isReady()} is the service's own readiness (caught up), which a fresh platform reaches long
     * before its first checkpoint.
     */
    public java.util.Optional<String> cannotRecommend() {
        if (failure != null) {
            return java.util.Optional.of("the checkpoint follower stopped: " + failure.getMessage());
        }
        if (!running.get() || !caughtUp) {
            return java.util.Optional.of("still reading the checkpoints topic");
        }
        return model == null ? java.util.Optional.of(noModelMessage()) : java.util.Optional.empty();
    }

    /** Ready once the topics have been read to their end once (a model may still be absent). */
    @Override
    public boolean isReady() {
        return running.get() && caughtUp && failure == null;
    }

    @Override
    public Throwable failure() {
        return failure;
    }
}
