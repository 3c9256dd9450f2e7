package org.crsaug.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.dataset.DataDirectory;
import org.crsaug.data.ingest.Ingestor;
import org.crsaug.model.checkpoint.CheckpointEvaluator;
import org.crsaug.model.eval.PairRanks;
import org.crsaug.model.eval.RecallMetrics;
import org.crsaug.model.llm.LlmCosts;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.model.training.ExtraPretraining;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.service.Service;
import org.crsaug.data.state.CheckpointHistory;
import org.crsaug.data.state.PipelineState;
import org.crsaug.evaluator.EvaluatorService;
import org.crsaug.retriever.RetrieverService;
import org.crsaug.scorer.ScorerService;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Evaluation;
import org.crsaug.trainer.TrainerService;

/**
 * The end-to-end run: ingest a dataset, let the four services work through it, train the baseline
 * and the method on the same snapshot, and collect both evaluations.
 */
public final class PipelineRun {

    /**
     * One row of the result table; {@code ranks} is the headline-protocol rank of every test (context, gold)
     * pair, aligned across the rows of one run, which the lift's bootstrap interval resamples.
     */
    public record Row(String mode, String checkpointId, Map<String, Double> metrics, int[] ranks) {

        /** A row without per-pair ranks: its lift is printed without an interval. */
        Row(String mode, String checkpointId, Map<String, Double> metrics) {
            this(mode, checkpointId, metrics, new int[0]);
        }
    }

    private final Platform platform;
    private final PrintStream out;
    private final boolean interactive;
    /** The stage now running, for a person told that the run was stopped. */
    private volatile String stage = "start-up";
    /** What the LLM cost during the last {@link #run}, by mode. */
    private volatile LlmCosts llmCosts = new LlmCosts(Map.of());

    public PipelineRun(Platform platform, PrintStream out) {
        this(platform, out, false);
    }

    /** @param interactive redraw progress lines in place (a terminal) instead of printing each step */
    public PipelineRun(Platform platform, PrintStream out, boolean interactive) {
        this.platform = platform;
        this.out = out;
        this.interactive = interactive;
    }

    public List<Row> run(String dataset, List<TrainingMode> modes, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        LlmCosts costsBefore = LlmCosts.now();
        java.util.Optional<String> extra = ExtraPretraining.configured(platform.config(), dataset);
        ingest(dataset);

        Map<String, Evaluation> evaluations = new ConcurrentHashMap<>();
        Map<String, String> failedEvaluations = new ConcurrentHashMap<>();
        RetrieverService retriever = new RetrieverService(platform);
        ScorerService scorer = ScorerService.create(platform);
        TrainerService trainer = new TrainerService(platform);
        EvaluatorService evaluator = new EvaluatorService(platform);
        // the first configured protocol is the headline one
        String headline = platform.config().get("evaluator.protocols").split(",")[0].trim();
        evaluator.onEvaluation(e -> {
            if (e.getProtocol().equalsIgnoreCase(headline)) {
                evaluations.put(e.getCheckpointId(), e);
            }
        });
        evaluator.onFailure(f -> failedEvaluations.put(f.checkpoint().getCheckpointId(), f.reason()));
        List<Service> services = List.of(retriever, scorer, trainer, evaluator);
        try (PipelineState state = new PipelineState(platform, "crs-run-progress");
                CheckpointHistory history = new CheckpointHistory(platform, "crs-run-history")) {
            services.forEach(Service::start);
            awaitRetrievalAndLabels(state, dataset, services, deadline, true);
            if (extra.isPresent()) {
                // the dataset's candidates are all made: the retriever hands its application id over to an
                // encode-only one, so the other dataset is encoded like this one (same encoder and context
                // mean, fixed by this dataset's contexts) and nothing is retrieved or judged for it
                retriever.stop();
                ingest(extra.get());
                encodeOnly(state, extra.get(), Duration.ofNanos(remaining(deadline)));
            }

            // what is on the topics before the round: a checkpoint the round reuses is not published again, so
            // if it has no evaluation the evaluator must be asked for one (see below)
            EarlierRounds earlier = earlierRounds(history, headline);
            ProgressBar trainBar = bar("[3/5] train   ");
            java.util.concurrent.CompletableFuture<List<Checkpoint>> round = trainer.requestRound(dataset, modes);
            while (!round.isDone()) {
                checkHealth(services);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Timed out waiting for the training round " + modes);
                }
                trainBar.elapsed("training " + modes);
                Thread.sleep(500);
            }
            List<Checkpoint> checkpoints = round.get(remaining(deadline), TimeUnit.NANOSECONDS);
            trainBar.finish(checkpoints.size() + " checkpoints " + checkpoints.stream()
                    .map(Checkpoint::getCheckpointId).toList());

            earlierRounds(history, headline).evaluations().forEach(evaluations::putIfAbsent);
            for (Checkpoint cp : checkpoints) {
                // reused but never evaluated under this protocol: its evaluation failed last time (a dead letter
                // now), or the protocols changed since; the evaluator's group has moved past it on the topic
                if (!evaluations.containsKey(cp.getCheckpointId())
                        && earlier.checkpointIds().contains(cp.getCheckpointId())) {
                    evaluator.requestEvaluation(cp);
                }
            }
            ProgressBar evalBar = bar("[4/5] evaluate");
            List<Row> rows = new ArrayList<>();
            for (Checkpoint cp : checkpoints) {
                evalBar.update(new ProgressBar.Counter("checkpoints evaluated on test", rows.size(), checkpoints.size()));
                Evaluation ev = awaitEvaluation(evaluations, failedEvaluations, cp.getCheckpointId(), services,
                        deadline);
                // the evaluation record holds only the means; the interval of a lift needs every pair's rank,
                // so the (small) test split is scored once more here, under the same protocol
                CheckpointEvaluator.Scored scored = CheckpointEvaluator.score(state, cp);
                int[] ranks = PairRanks.compute(scored.scores(), scored.contexts(), RecallMetrics.Protocol.parse(headline));
                rows.add(new Row(cp.getMode(), cp.getCheckpointId(), ev.getMetrics(), ranks));
            }
            evalBar.finish(rows.size() + " evaluations (test split, " + headline + " protocol)");
            llmCosts = LlmCosts.now().since(costsBefore);
            return rows;
        } finally {
            stopAll(services);
        }
    }

    /** Publishes the dataset (unchanged records are skipped). */
    public void ingest(String dataset) {
        Path datasetDir = DataDirectory.datasetDir(platform.config(), dataset);
        ProgressBar ingestBar = bar("[1/5] ingest  ");
        ingestBar.elapsed("reading " + datasetDir);
        long ingestStart = System.nanoTime();
        try (Ingestor ingestor = new Ingestor(platform)) {
            Ingestor.Report r = ingestor.ingestDataset(dataset, datasetDir);
            double seconds = Math.max(1e-3, (System.nanoTime() - ingestStart) / 1e9);
            ingestBar.finish(String.format(java.util.Locale.ROOT,
                    "%d items (%d new or changed), %d dialogues (%d new or changed), %.0f records/s, %d bad lines"
                            + " -> dead-letters%s", r.itemsRead(), r.itemsPublished(), r.dialoguesRead(),
                    r.dialoguesPublished(), (r.itemsRead() + r.dialoguesRead()) / seconds, r.failures(),
                    r.replacedNote()));
        }
    }

    /**
     * Runs retrieval and judging until every context of the dataset has a vector and every training
     * context has labels, then stops those services. Used where training happens outside the trainer
     * service (experiments).
     */
    public void labelAll(PipelineState state, String dataset, Duration timeout) throws InterruptedException {
        runUntilDone(state, dataset, timeout, List.of(new RetrieverService(platform), ScorerService.create(platform)),
                true);
    }

    /** Runs only the retriever until every context of the dataset has its vector. */
    public void encodeAll(PipelineState state, String dataset, Duration timeout) throws InterruptedException {
        runUntilDone(state, dataset, timeout, List.of(new RetrieverService(platform)), false);
    }

    /**
     * Runs a retriever that proposes no candidates until every context of {@code dataset} has its vector: the
     * contexts are encoded exactly as a labelled dataset's (same encoder, same centring), while nothing is
     * retrieved or judged for them. For a dataset that only lends first-stage examples
     * ({@code trainer.pretrain.extra.dataset}).
     */
    public void encodeOnly(PipelineState state, String dataset, Duration timeout) throws InterruptedException {
        CrsConfig c = platform.config().with("retriever.candidate.splits", "")
                .with("bootstrap.servers", platform.bootstrapServers())
                .with("schema.registry.url", platform.registryUrl());
        try (Platform encoding = Platform.connect(c)) {
            new PipelineRun(encoding, out, interactive).encodeAll(state, dataset, timeout);
        }
    }

    /** Runs only the scorer until every training context has labels (candidates come from elsewhere). */
    public void judgeAll(PipelineState state, String dataset, Duration timeout) throws InterruptedException {
        runUntilDone(state, dataset, timeout, List.of(ScorerService.create(platform)), true);
    }

    /** Starts the given services and stops them once every context has a vector (and, if asked, labels). */
    void runUntilDone(PipelineState state, String dataset, Duration timeout, List<Service> services,
            boolean needLabels) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            services.forEach(Service::start);
            awaitRetrievalAndLabels(state, dataset, services, deadline, needLabels);
        } finally {
            stopAll(services);
        }
    }

    /** A new stage's progress line; the stage is what {@link #stage()} names from now on. */
    private ProgressBar bar(String label) {
        stage = label.strip();
        return new ProgressBar(out, label, interactive);
    }

    /** The estimated LLM spend of the last run, online and batch. */
    LlmCosts llmCosts() {
        return llmCosts;
    }

    /** The stage running now or last, e.g. "[2/5] retrieve+judge". */
    String stage() {
        return stage;
    }

    private static void stopAll(List<Service> services) {
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).stop();
        }
    }

    private void awaitRetrievalAndLabels(PipelineState state, String dataset, List<Service> services, long deadline,
            boolean needLabels) throws InterruptedException {
        ProgressBar bar = bar("[2/5] retrieve+judge");
        try (GivenUpInputs givenUp = new GivenUpInputs(platform, "crs-run-dead-letters")) {
            while (true) {
                checkHealth(services);
                state.catchUp(Duration.ofMinutes(2));
                givenUp.catchUp(Duration.ofMinutes(2));
                Progress p = Progress.of(state, dataset, givenUp);
                // before the counts are drawn, so a paused stage is on the very line that stopped moving
                bar.condition(conditions(services));
                ProgressBar.Counter encoded = new ProgressBar.Counter("contexts encoded", p.embedded() + p.notEncoded(),
                        p.contexts());
                // a dataset that is only encoded is never labelled: a counter stuck at 0 would hold the bar back
                if (needLabels) {
                    bar.update(encoded, new ProgressBar.Counter("train contexts labelled",
                            p.labelled() + p.notLabelled(), p.trainContexts()));
                } else {
                    bar.update(encoded);
                }
                if (p.done(needLabels)) {
                    String givenUpNote = p.notEncoded() + p.notLabelled() == 0 ? "" : String.format(
                            java.util.Locale.ROOT, "; given up (dead letters, crs dlq list shows why): %d contexts not"
                                    + " encoded, %d train contexts not labelled", p.notEncoded(), p.notLabelled());
                    bar.finish(String.format(java.util.Locale.ROOT, "%d contexts encoded, %d train contexts labelled%s",
                            p.embedded(), p.labelled(), givenUpNote));
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Timed out waiting for retrieval and labels (" + p.embedded() + "/"
                            + p.contexts() + " contexts encoded, " + p.labelled() + "/" + p.trainContexts()
                            + " labelled); see the log file and the dead-letters topic");
                }
                Thread.sleep(1000);
            }
        }
    }

    /**
     * How far a dataset's contexts are: encoded, and (training split) labelled. Those a stage dead-lettered count
     * apart ({@code notEncoded}, {@code notLabelled}): they are done too, since nothing more will come for them.
     */
    private record Progress(int contexts, int embedded, int notEncoded, int trainContexts, int labelled,
            int notLabelled) {

        static Progress of(PipelineState state, String dataset, GivenUpInputs givenUp) {
            String encoder = state.encoderId();
            int contexts = 0;
            int embedded = 0;
            int notEncoded = 0;
            int trainContexts = 0;
            int labelled = 0;
            int notLabelled = 0;
            for (String split : List.of("train", "valid", "test")) {
                for (DialogueContext c : state.contexts(dataset, split)) {
                    contexts++;
                    boolean notRetrieved = givenUp.dialogue(c.dialogueId());
                    if (encoder != null && state.contextVector(encoder, c.contextId()) != null) {
                        embedded++;
                    } else if (notRetrieved) {
                        notEncoded++;
                    }
                    if (split.equals("train")) {
                        trainContexts++;
                        if (state.labels(c.contextId()) != null) {
                            labelled++;
                        } else if (notRetrieved || givenUp.context(c.contextId())) {
                            notLabelled++;
                        }
                    }
                }
            }
            return new Progress(contexts, embedded, notEncoded, trainContexts, labelled, notLabelled);
        }

        boolean done(boolean needLabels) {
            return contexts > 0 && embedded + notEncoded == contexts
                    && (!needLabels || labelled + notLabelled == trainContexts);
        }
    }

    /** The checkpoints already on the topic, and their headline evaluations by checkpoint. */
    private record EarlierRounds(java.util.Set<String> checkpointIds, Map<String, Evaluation> evaluations) {
    }

    /**
     * What the topics hold so far: a round the trainer reuses (the same data and settings as before) was
     * evaluated when it was trained, and the evaluator does not evaluate a checkpoint twice.
     */
    private static EarlierRounds earlierRounds(CheckpointHistory history, String headline) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        Map<String, Evaluation> out = new java.util.HashMap<>();
        // reads on from where the last call stopped
        history.catchUp(Duration.ofMinutes(1));
        for (CheckpointHistory.Entry e : history.entries()) {
            ids.add(e.checkpoint().getCheckpointId());
            e.evaluationsByProtocol().forEach((protocol, ev) -> {
                if (protocol.equalsIgnoreCase(headline)) {
                    out.put(e.checkpoint().getCheckpointId(), ev);
                }
            });
        }
        return new EarlierRounds(ids, out);
    }

    /**
     * Waits for the checkpoint's evaluation; throws as soon as the evaluator reports that it could not make it
     * (in {@code failures}, by checkpoint), with the evaluator's reason and what to do.
     */
    private static Evaluation awaitEvaluation(Map<String, Evaluation> evaluations, Map<String, String> failures,
            String checkpointId, List<Service> services, long deadline) throws InterruptedException {
        while (!evaluations.containsKey(checkpointId)) {
            String failure = failures.get(checkpointId);
            if (failure != null) {
                throw new IllegalStateException("The evaluator could not evaluate checkpoint " + checkpointId + ": "
                        + failure + ". Fix the cause and run the command again: the trained checkpoint is kept and"
                        + " is evaluated then (crs dlq list --stage evaluator shows the letter)");
            }
            checkHealth(services);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out waiting for the evaluation of " + checkpointId);
            }
            Thread.sleep(200);
        }
        return evaluations.get(checkpointId);
    }

    /** Every service's passing condition ("scorer: paused: ..."), joined; empty when none has one. */
    static String conditions(List<Service> services) {
        StringBuilder sb = new StringBuilder();
        for (Service s : services) {
            s.condition().ifPresent(c -> sb.append(sb.length() == 0 ? "" : "; ").append(s.name()).append(": ").append(c));
        }
        return sb.toString();
    }

    /** Throws naming the first service that failed, so a failure ends a wait instead of hanging it. */
    static void checkHealth(List<Service> services) {
        for (Service s : services) {
            Throwable t = s.failure();
            if (t != null) {
                throw new IllegalStateException("The " + s.name() + " service failed: " + t.getMessage(), t);
            }
        }
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }
}
