package org.crsaug.retriever;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.crsaug.common.encoder.TextEncoder;
import org.crsaug.common.encoder.TextEncoders;
import org.crsaug.common.platform.Platform;
import org.crsaug.common.service.Service;
import org.crsaug.common.streams.StreamsService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Indexes the catalogue, then turns each dialogue into context embeddings and top-k candidates.
 * The dialogue stream starts only once the index holds every item published so far, so early
 * contexts are not retrieved against half a catalogue.
 */
public final class RetrieverService implements Service {

    public static final String APPLICATION_ID = "crs-retriever";
    private static final Logger LOG = LoggerFactory.getLogger(RetrieverService.class);

    private final Platform platform;
    private final RetrieverSettings settings;
    private final ItemIndex index = new ItemIndex();
    private final AtomicBoolean running = new AtomicBoolean();
    private TextEncoder encoder;
    private ItemIndexer indexer;
    private StreamsService streams;
    private Thread worker;
    private volatile Throwable failure;

    public RetrieverService(Platform platform) {
        this.platform = platform;
        this.settings = RetrieverSettings.fromConfig(platform.config());
    }

    @Override
    public String name() {
        return "retriever";
    }

    @Override
    public synchronized void start() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        worker = new Thread(this::run, "retriever-indexer");
        worker.setDaemon(true);
        worker.start();
    }

    private void run() {
        try {
            Path cache = platform.config().getPath("state.dir").resolve("models");
            encoder = TextEncoders.create(platform.config(), cache);
            indexer = new ItemIndexer(platform, encoder, index, APPLICATION_ID);
            indexer.catchUp(Duration.ofMinutes(10));
            LOG.info("Item index ready with {} items; starting context retrieval", index.size());
            streams = new StreamsService("retriever", platform, APPLICATION_ID,
                    RetrieverTopology.build(platform, encoder, index, settings));
            streams.start();
            while (running.get()) {
                indexer.poll(Duration.ofMillis(500));
            }
        } catch (RuntimeException e) {
            if (running.get()) {
                failure = e;
                LOG.error("Retriever failed", e);
            }
        }
    }

    @Override
    public synchronized void stop() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (streams != null) {
            streams.stop();
        }
        if (indexer != null) {
            indexer.close();
        }
        if (encoder != null) {
            encoder.close();
        }
    }

    @Override
    public boolean isReady() {
        return streams != null && streams.isReady();
    }

    @Override
    public Throwable failure() {
        return failure != null ? failure : streams == null ? null : streams.failure();
    }

    public int indexedItems() {
        return index.size();
    }
}
