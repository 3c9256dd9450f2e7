package org.crsaug.trainer;

import org.crsaug.model.training.TrainingRound;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.kafka.StateDirLock;
import org.crsaug.platform.service.WorkerService;
import org.crsaug.data.state.PipelineProgress;
import org.crsaug.data.state.PipelineState;
import org.crsaug.data.state.PipelineStateLease;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Checkpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Materialises dialogues, embeddings and augmented labels, and trains a round on request, once enough
 * new augmented labels have arrived and the stream has gone quiet for a moment
 * ({@code trainer.round.min.new.labels}, {@code trainer.round.quiet.ms}), or every
 * {@code trainer.round.interval.ms} when anything changed since the last round. Each mode warm-starts
 * from the latest checkpoint of the same dataset, mode and backbone when {@code trainer.warm.start} is on
 * and that checkpoint fits (see {@link TrainingRound#train}).
 *
 * <p>One trainer per state directory: a second one (say {@code crs service trainer} beside {@code crs up})
 * is refused with the running one's pid. Trainers share no consumer group (each reads whole topics), so two
 * would both train the next round under the same number and publish two checkpoints for it.
 *
 * <p>Crash safety: artifacts appear only by atomic rename, so a round killed half-way leaves at most a
 * staging directory, which is deleted when the trainer starts again (only a dead writer's: see
 * {@link ArtifactStore#cleanStaleStaging}); round numbers come from the
 * checkpoints topic, so the interrupted round is simply trained again under the same number. A restart
 * does not retrain what is already trained: the automatic triggers count new labels and dialogues from
 * the state the latest checkpoint was trained on (its recorded offset ranges), not from zero.
 */
public final class TrainerService extends WorkerService {

    public static final String CLIENT_ID = "crs-trainer";
    /** Client id prefix of the counting readers that watch for new material between rounds. */
    public static final String PROGRESS_CLIENT_ID = CLIENT_ID + "-progress";
    /** The lock file in the state directory that keeps it to one trainer. */
    public static final String LOCK_FILE = "trainer.lock";
    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);

    private record Request(String dataset, List<TrainingMode> modes, CompletableFuture<List<Checkpoint>> done) {
    }

    private final Platform platform;
    private final CrsConfig config;
    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private int lastRound;
    /** Latest checkpoint per dataset/mode/backbone: the candidates for a warm start. */
    private final java.util.Map<String, Checkpoint> latest = new java.util.HashMap<>();
    /** The checkpoint of the highest round, whatever its dataset: where the automatic triggers count from. */
    private Checkpoint lastPublished;
    private final ArtifactStore.StagingHook stagingHook;

    public TrainerService(Platform platform) {
        this(platform, ArtifactStore.StagingHook.NONE);
    }

    /** @param stagingHook runs before each artifact's rename; fault-injection tests stop the trainer there */
    public TrainerService(Platform platform, ArtifactStore.StagingHook stagingHook) {
        super("trainer");
        this.platform = platform;
        this.config = platform.config();
        this.stagingHook = stagingHook;
    }

    /**
     * Refuses what a round would refuse for these settings (hyper-parameters, modes, backbone), before any
     * work starts rather than at the first round.
     */
    public static void checkSettings(CrsConfig config) {
        org.crsaug.model.recommender.TrainerSettings settings =
                org.crsaug.model.recommender.TrainerSettings.fromConfig(config);
        modes(config).forEach(settings::withMode);
        config.getInt("trainer.round.min.new.labels");
        config.getLong("trainer.round.quiet.ms");
        config.getLong("trainer.round.interval.ms");
        config.getDouble("trainer.validation.fraction");
    }

    /** Trains the given modes on everything published so far; completes with the checkpoints. */
    public CompletableFuture<List<Checkpoint>> requestRound(String dataset, List<TrainingMode> modes) {
        CompletableFuture<List<Checkpoint>> done = new CompletableFuture<>();
        requests.add(new Request(dataset, List.copyOf(modes), done));
        return done;
    }

    /**
     * A round in progress is given up at its next training batch ({@code interruptOnStop}): nothing of it is
     * published (artifacts appear by rename, checkpoints after them), and the next start trains it again under
     * the same number. Waiting for it instead held a Ctrl-C for up to this long while a ReDial stage ran on.
     */
    @Override
    protected long stopTimeoutMs() {
        return 60_000;
    }

    @Override
    protected boolean interruptOnStop() {
        return true;
    }

    @Override
    protected void work() throws InterruptedException {
        Path artifactRoot = config.artifactRoot();
        ArtifactStore store = new ArtifactStore(artifactRoot, stagingHook);
        TrainingRound rounds = new TrainingRound(config, store);
        try (StateDirLock onlyTrainer = claimTrainerRole();
                PipelineStateLease states = new PipelineStateLease(platform, CLIENT_ID, PipelineStateLease.DEFAULT_IDLE);
                KafkaProducer<String, Checkpoint> producer = platform.producer(Topics.CHECKPOINTS, CLIENT_ID)) {
            int stale = store.cleanStaleStaging();
            if (stale > 0) {
                LOG.warn("Removed {} half-written artifact(s) left by an interrupted round under {}", stale, artifactRoot);
            }
            lastRound = readCheckpoints();
            int minNewLabels = config.getInt("trainer.round.min.new.labels");
            long quietMs = config.getLong("trainer.round.quiet.ms");
            long intervalMs = config.getLong("trainer.round.interval.ms");
            boolean automatic = minNewLabels > 0 || intervalMs > 0;
            // between rounds only counts are watched; the training data is read when a round starts
            try (PipelineProgress progress = new PipelineProgress(platform, PROGRESS_CLIENT_ID,
                    automatic && lastPublished != null ? lastPublished.getInputRanges() : List.of())) {
                long labelsAtLastRound = 0;
                long dialoguesAtLastRound = 0;
                if (automatic) {
                    progress.catchUp(Duration.ofMinutes(5));
                    labelsAtLastRound = progress.labelRecordsInLastRound();
                    dialoguesAtLastRound = progress.dialogueRecordsInLastRound();
                    if (lastPublished != null) {
                        LOG.info("Round {} ({}) was trained on {} labels records and {} dialogue records; counting new"
                                + " ones from there", lastPublished.getRound(), lastPublished.getCheckpointId(),
                                labelsAtLastRound, dialoguesAtLastRound);
                    }
                }
                markReady();
                long lastSeenLabels = labelsAtLastRound;
                long lastChange = System.currentTimeMillis();
                long lastRoundAt = System.currentTimeMillis();
                while (running()) {
                    Request request = requests.poll(500, TimeUnit.MILLISECONDS);
                    if (request == null && automatic) {
                        progress.catchUp(Duration.ofMinutes(2));
                        long labelled = progress.labelRecords();
                        long dialogues = progress.dialogueRecords();
                        long now = System.currentTimeMillis();
                        boolean enoughLabels = false;
                        if (labelled != lastSeenLabels) {
                            lastSeenLabels = labelled;
                            lastChange = now;
                        } else {
                            enoughLabels = minNewLabels > 0 && labelled - labelsAtLastRound >= minNewLabels
                                    && now - lastChange >= quietMs;
                        }
                        boolean intervalDue = intervalMs > 0 && now - lastRoundAt >= intervalMs
                                && (labelled != labelsAtLastRound || dialogues != dialoguesAtLastRound);
                        if (enoughLabels || intervalDue) {
                            LOG.info("Automatic round ({}): {} new labels records, {} new dialogue records",
                                    enoughLabels ? "new labels" : "interval", labelled - labelsAtLastRound,
                                    dialogues - dialoguesAtLastRound);
                            states.use(state -> {
                                state.catchUp(Duration.ofMinutes(5));
                                for (String dataset : datasets(state)) {
                                    try {
                                        train(rounds, state, producer, dataset, defaultModes());
                                    } catch (RuntimeException e) {
                                        // one dataset without labels yet must not stop rounds for the others
                                        logFailedRound("Automatic round for " + dataset, e);
                                    }
                                }
                                return null;
                            });
                            labelsAtLastRound = labelled;
                            dialoguesAtLastRound = dialogues;
                            lastRoundAt = System.currentTimeMillis();
                        }
                    }
                    if (request != null) {
                        try {
                            request.done().complete(states.use(state -> {
                                state.catchUp(Duration.ofMinutes(5));
                                return train(rounds, state, producer, request.dataset(), request.modes());
                            }));
                        } catch (RuntimeException e) {
                            logFailedRound("Training round", e);
                            request.done().completeExceptionally(e);
                        }
                    }
                    states.releaseIfIdle();
                }
            }
        } finally {
            Request r;
            while ((r = requests.poll()) != null) {
                r.done().completeExceptionally(new IllegalStateException("trainer stopped"));
            }
        }
    }

    /** A round given up because the trainer is stopping is no error; any other failure is. */
    private void logFailedRound(String what, RuntimeException e) {
        if (!running() && interrupted(e)) {
            LOG.info("{} given up: the trainer is stopping ({})", what, e.getMessage());
        } else {
            LOG.error("{} failed", what, e);
        }
    }

    private static boolean interrupted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.crsaug.model.recommender.TrainingInterruptedException
                    || t instanceof org.apache.kafka.common.errors.InterruptException
                    || t instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    /** The state directory's trainer lock, or a refusal naming the trainer that holds it and what to do. */
    private StateDirLock claimTrainerRole() {
        Path stateDir = config.getPath("state.dir");
        String instead = " or run this one on another --state-dir with topics of its own (--set topic.prefix=...).";
        return StateDirLock.tryAcquire(stateDir, LOCK_FILE).orElseThrow(() -> new IllegalStateException(
                "A trainer already runs on the state directory " + stateDir.toAbsolutePath() + " ("
                        + StateDirLock.holder(stateDir, LOCK_FILE) + "). Only one trainer per state directory:"
                        + " trainers share no consumer group, so a second one would train the same round again and"
                        + " publish a second checkpoint under its number. "
                        + (platform.attached()
                                ? "The crs up running there has its own trainer: stop crs up first (Ctrl-C),"
                                : "Stop that trainer first,")
                        + instead));
    }

    private List<String> datasets(PipelineState state) {
        return config.has("trainer.dataset") ? List.of(config.get("trainer.dataset")) : new ArrayList<>(state.datasets());
    }

    private List<TrainingMode> defaultModes() {
        return modes(config);
    }

    private static List<TrainingMode> modes(CrsConfig config) {
        return Arrays.stream(config.get("trainer.modes").split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(TrainingMode::parse).toList();
    }

    private List<Checkpoint> train(TrainingRound rounds, PipelineState state, KafkaProducer<String, Checkpoint> producer,
            String dataset, List<TrainingMode> modes) {
        long started = System.nanoTime();
        try (org.crsaug.platform.metrics.StageMeters.Span span = org.crsaug.platform.metrics.StageMeters.begin(
                org.crsaug.platform.metrics.StageMeters.TRAINING)) {
            long seed = config.getLong("trainer.seed");
            TrainingRound.Snapshot snapshot = rounds.snapshot(state, dataset, seed);
            String backbone = config.get("trainer.backbone").trim().toLowerCase(java.util.Locale.ROOT);
            List<Checkpoint> unchanged = modes.stream()
                    .map(m -> latest.get(lineKey(dataset, TrainingRound.modeName(m), backbone)))
                    .filter(cp -> cp != null).toList();
            if (unchanged.size() == modes.size()
                    && java.util.stream.IntStream.range(0, modes.size())
                            .allMatch(i -> rounds.trainedOn(snapshot, modes.get(i), unchanged.get(i)))) {
                // the same command on the same data gives the same checkpoints, not a further round of training
                LOG.info("Round {} of {} was trained on exactly this data and these settings; reusing {}",
                        unchanged.get(0).getRound(), dataset,
                        unchanged.stream().map(Checkpoint::getCheckpointId).toList());
                return unchanged;
            }
            int round = ++lastRound;
            List<Checkpoint> out = new ArrayList<>();
            for (TrainingMode mode : modes) {
                String key = lineKey(dataset, TrainingRound.modeName(mode), backbone);
                Checkpoint cp = rounds.train(snapshot, mode, round, latest.get(key));
                try {
                    // waiting for the ack keeps "published" meaning "visible to the evaluator"
                    producer.send(new ProducerRecord<>(config.topic(Topics.CHECKPOINTS), cp.getCheckpointId(), cp))
                            .get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while publishing " + cp.getCheckpointId(), e);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("Cannot publish checkpoint " + cp.getCheckpointId(), e.getCause());
                }
                latest.put(key, cp);
                lastPublished = cp;
                out.add(cp);
            }
            org.crsaug.platform.metrics.PipelineMeters.recordRound(dataset,
                    Duration.ofNanos(System.nanoTime() - started));
            span.record();
            return out;
        }
    }

    private static String lineKey(String dataset, String mode, String backbone) {
        return dataset + "|" + mode + "|" + backbone;
    }

    /** Reads the checkpoints published so far: the last round number and the warm-start candidates. */
    private int readCheckpoints() {
        int[] max = {0};
        try (TopicFollower<Checkpoint> f = new TopicFollower<>(platform, Topics.CHECKPOINTS, CLIENT_ID + "-rounds")) {
            f.catchUp(r -> {
                Checkpoint cp = r.value();
                if (cp != null) {
                    if (lastPublished == null || cp.getRound() >= lastPublished.getRound()) {
                        lastPublished = cp;
                    }
                    max[0] = Math.max(max[0], cp.getRound());
                    latest.merge(lineKey(cp.getDataset(), cp.getMode(), cp.getBackbone()), cp,
                            (a, b) -> b.getRound() >= a.getRound() ? b : a);
                }
            }, Duration.ofMinutes(1));
        }
        return max[0];
    }
}
