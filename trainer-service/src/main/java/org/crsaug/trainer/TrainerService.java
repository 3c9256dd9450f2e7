package org.crsaug.trainer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.common.artifact.ArtifactStore;
import org.crsaug.common.config.CrsConfig;
import org.crsaug.common.model.TrainingMode;
import org.crsaug.common.platform.Platform;
import org.crsaug.common.service.Service;
import org.crsaug.common.store.PipelineState;
import org.crsaug.common.store.TopicFollower;
import org.crsaug.common.topic.Topics;
import org.crsaug.schema.Checkpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Materialises dialogues, embeddings and augmented labels, and trains a round either on request or
 * once enough new augmented labels have arrived and the stream has gone quiet for a moment.
 */
public final class TrainerService implements Service {

    public static final String CLIENT_ID = "crs-trainer";
    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);

    private record Request(String dataset, List<TrainingMode> modes, CompletableFuture<List<Checkpoint>> done) {
    }

    private final Platform platform;
    private final CrsConfig config;
    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean ready;
    private volatile Throwable failure;
    private Thread worker;
    private int lastRound;

    public TrainerService(Platform platform) {
        this.platform = platform;
        this.config = platform.config();
    }

    @Override
    public String name() {
        return "trainer";
    }

    /** Trains the given modes on everything published so far; completes with the checkpoints. */
    public CompletableFuture<List<Checkpoint>> requestRound(String dataset, List<TrainingMode> modes) {
        CompletableFuture<List<Checkpoint>> done = new CompletableFuture<>();
        requests.add(new Request(dataset, List.copyOf(modes), done));
        return done;
    }

    @Override
    public synchronized void start() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        worker = new Thread(this::run, "trainer");
        worker.setDaemon(true);
        worker.start();
    }

    private void run() {
        Path artifactRoot = config.has("artifact.dir") ? config.getPath("artifact.dir")
                : config.getPath("state.dir").resolve("artifacts");
        TrainingRound rounds = new TrainingRound(config, new ArtifactStore(artifactRoot));
        try (PipelineState state = new PipelineState(platform, CLIENT_ID);
                KafkaProducer<String, Checkpoint> producer = platform.producer(Topics.CHECKPOINTS, CLIENT_ID)) {
            lastRound = readLastRound();
            ready = true;
            int minNewLabels = config.getInt("trainer.round.min.new.labels");
            long quietMs = config.getLong("trainer.round.quiet.ms");
            int labelsAtLastRound = 0;
            int lastSeenLabels = 0;
            long lastChange = System.currentTimeMillis();
            while (running.get()) {
                Request request = requests.poll(500, TimeUnit.MILLISECONDS);
                if (request == null && minNewLabels > 0) {
                    state.catchUp(Duration.ofMinutes(2));
                    int labelled = state.labelledContexts();
                    if (labelled != lastSeenLabels) {
                        lastSeenLabels = labelled;
                        lastChange = System.currentTimeMillis();
                    } else if (labelled - labelsAtLastRound >= minNewLabels
                            && System.currentTimeMillis() - lastChange >= quietMs) {
                        for (String dataset : datasets(state)) {
                            train(rounds, state, producer, dataset, defaultModes());
                        }
                        labelsAtLastRound = labelled;
                    }
                }
                if (request != null) {
                    try {
                        state.catchUp(Duration.ofMinutes(5));
                        request.done().complete(train(rounds, state, producer, request.dataset(), request.modes()));
                    } catch (RuntimeException e) {
                        LOG.error("Training round failed", e);
                        request.done().completeExceptionally(e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("Trainer stopped", e);
        } finally {
            Request r;
            while ((r = requests.poll()) != null) {
                r.done().completeExceptionally(new IllegalStateException("trainer stopped"));
            }
        }
    }

    private List<String> datasets(PipelineState state) {
        return config.has("trainer.dataset") ? List.of(config.get("trainer.dataset")) : new ArrayList<>(state.datasets());
    }

    private List<TrainingMode> defaultModes() {
        return Arrays.stream(config.get("trainer.modes").split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(TrainingMode::parse).toList();
    }

    private List<Checkpoint> train(TrainingRound rounds, PipelineState state, KafkaProducer<String, Checkpoint> producer,
            String dataset, List<TrainingMode> modes) {
        int round = ++lastRound;
        long seed = config.getLong("trainer.seed");
        TrainingRound.Snapshot snapshot = rounds.snapshot(state, dataset, seed);
        List<Checkpoint> out = new ArrayList<>();
        for (TrainingMode mode : modes) {
            Checkpoint cp = rounds.train(snapshot, mode, round, null);
            producer.send(new ProducerRecord<>(config.topic(Topics.CHECKPOINTS), cp.getCheckpointId(), cp));
            producer.flush();
            out.add(cp);
        }
        return out;
    }

    private int readLastRound() {
        int[] max = {0};
        try (TopicFollower<Checkpoint> f = new TopicFollower<>(platform, Topics.CHECKPOINTS, CLIENT_ID + "-rounds")) {
            f.catchUp(r -> {
                if (r.value() != null) {
                    max[0] = Math.max(max[0], r.value().getRound());
                }
            }, Duration.ofMinutes(1));
        }
        return max[0];
    }

    @Override
    public synchronized void stop() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        try {
            worker.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
