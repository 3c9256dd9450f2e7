package org.crsaug.launcher.experiment;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.model.checkpoint.CollaborativeModel;
import org.crsaug.model.eval.CollaborativeScore;
import org.crsaug.model.eval.PairRanks;
import org.crsaug.model.eval.RecallMetrics;
import org.crsaug.model.recommender.Example;
import org.crsaug.model.recommender.TrainerSettings;
import org.crsaug.model.recommender.TrainingData;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.data.state.PipelineState;
import org.crsaug.platform.topic.Topics;
import org.crsaug.model.checkpoint.CheckpointEvaluator;
import org.crsaug.launcher.PipelineRun;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.model.checkpoint.LoadedCheckpoint;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.platform.store.CheckpointDirectory;
import org.crsaug.schema.Checkpoint;
import org.crsaug.model.training.ExtraPretraining;
import org.crsaug.model.training.TrainingRound;
import org.crsaug.scorer.RecommenderCandidates;
import org.crsaug.scorer.semantic.SemanticScores;
import org.crsaug.scorer.semantic.SemanticScoring;

/**
 * Runs an {@link ExperimentPlan}: makes each label variant in its own topic namespace, then trains
 * every compared model on one snapshot per seed and evaluates it on the test split in process.
 * Every model is also published as a checkpoint, so each number in the report traces to one.
 */
public final class ExperimentRunner {

    public static final String GROUP_MODES = "modes";
    public static final String GROUP_ALPHA = "alpha";
    public static final String GROUP_SIZE = "size";
    private static final int[] KS = {1, 10, 50};

    private final Platform platform;
    private final PrintStream out;
    private Consumer<Outcome> afterEachSeed = outcome -> { };
    private boolean reuseCheckpoints = true;
    private SemanticScoring semantic;
    /** The CS@k model of the experiment's dataset, shared by every variant (it never sees augmented labels). */
    private CollaborativeModel collaborative;
    /** Per variant, the figures of its borrowed first-stage examples (first seed); see {@link Outcome}. */
    private final Map<String, Map<String, Double>> extra = new LinkedHashMap<>();

    public ExperimentRunner(Platform platform, PrintStream out) {
        this.platform = platform;
        this.out = out;
    }

    /**
     * Receives everything measured so far after each seed of each variant and catalogue, so that a long
     * run (ReDial takes hours on two cores) leaves a usable partial report if it is stopped.
     */
    public ExperimentRunner afterEachSeed(Consumer<Outcome> listener) {
        this.afterEachSeed = listener;
        return this;
    }

    /**
     * Also measures S@10 and S@50 of every model (metrics {@code s@10}, {@code s@50}) with this judge and
     * cache; null (the default) measures none. The caller opens and closes it.
     */
    public ExperimentRunner semanticScores(SemanticScoring scoring) {
        this.semantic = scoring;
        return this;
    }

    /**
     * Whether a model whose checkpoint is already published, trained by this code on the same data with the same
     * settings ({@link TrainingRound#alreadyTrained}), is taken instead of trained again (default true): a grid
     * run again, or resumed after a stop, trains only what it lacks. False ({@code --retrain}) trains every model.
     */
    public ExperimentRunner reuseCheckpoints(boolean reuse) {
        this.reuseCheckpoints = reuse;
        return this;
    }

    /**
     * Everything measured, for the report.
     *
     * @param extraPretraining per label variant that borrows another dataset's dialogues for the first stage
     *                         ({@link ExtraPretraining#SETTING}): the overlap and example counts of its first seed
     */
    public record Outcome(ExperimentPlan plan, List<RunResult> runs, Map<String, LabelQuality> labelQuality,
            Map<String, Map<String, Double>> extraPretraining) {

        public Outcome(ExperimentPlan plan, List<RunResult> runs, Map<String, LabelQuality> labelQuality) {
            this(plan, runs, labelQuality, Map.of());
        }
    }

    public Outcome run(ExperimentPlan plan, Duration labellingTimeout) throws InterruptedException {
        checkExtraDatasets(platform.config(), plan);
        List<RunResult> runs = new ArrayList<>();
        Map<String, LabelQuality> quality = new LinkedHashMap<>();
        extra.clear();
        try {
            runVariants(plan, labellingTimeout, runs, quality);
        } finally {
            if (collaborative != null) {
                collaborative.close();
                collaborative = null;
            }
        }
        return new Outcome(plan, runs, quality, Map.copyOf(extra));
    }

    /**
     * Refuses, before any labelling starts, a variant whose extra first-stage dataset is the experiment's own
     * or is missing from the data directory: otherwise the mistake would surface after the labelling. The
     * command calls it before anything starts; {@link #run} again, for callers that build plans themselves.
     */
    public static void checkExtraDatasets(CrsConfig base, ExperimentPlan plan) {
        for (ExperimentPlan.LabelVariant v : plan.labelVariants()) {
            ExtraPretraining.configured(base.withAll(v.overrides()), plan.dataset());
        }
        for (ExperimentPlan.LabelVariant v : plan.labelVariants()) {
            ExtraPretraining.checkData(base.withAll(v.overrides()), plan.dataset());
        }
    }

    private void runVariants(ExperimentPlan plan, Duration labellingTimeout, List<RunResult> runs,
            Map<String, LabelQuality> quality) throws InterruptedException {
        for (ExperimentPlan.LabelVariant variant : plan.labelVariants()) {
            try (Platform vp = variantPlatform(platform, variant)) {
                vp.ensureTopics();
                out.printf("== label variant '%s' %s%n", variant.name(), variant.overrides());
                PipelineRun pipeline = new PipelineRun(vp, out);
                pipeline.ingest(plan.dataset());
                try (PipelineState state = new PipelineState(vp, "crs-experiment")) {
                    if (isSelfDistillation(variant)) {
                        pipeline.encodeAll(state, plan.dataset(), labellingTimeout);
                        state.catchUp(Duration.ofMinutes(5));
                        publishRecommenderCandidates(plan, vp, state);
                        pipeline.judgeAll(state, plan.dataset(), labellingTimeout);
                    } else {
                        pipeline.labelAll(state, plan.dataset(), labellingTimeout);
                    }
                    state.catchUp(Duration.ofMinutes(5));
                    Optional<String> extraDataset = ExtraPretraining.configured(vp.config(), plan.dataset());
                    if (extraDataset.isPresent()) {
                        // after the labelling, and encoded only: the other dataset must get no labels of its own
                        pipeline.ingest(extraDataset.get());
                        pipeline.encodeOnly(state, extraDataset.get(), labellingTimeout);
                        state.catchUp(Duration.ofMinutes(5));
                    }
                    trainAll(plan, variant, vp, state, quality, runs);
                }
            }
        }
    }

    /** Trained (or loaded) on first use, when CS@k is on; null when off or when there is nothing to train on. */
    private CollaborativeModel collaborative(PipelineState state, CrsConfig config, String dataset) {
        if (collaborative == null && config.getBoolean("evaluator.collaborative.score")) {
            try {
                collaborative = CollaborativeModel.obtain(() -> state, config, dataset);
                out.printf("   CS@k model %s%n", collaborative.artifactId());
            } catch (IllegalStateException e) {
                out.printf("   no CS@k: %s%n", e.getMessage());
            }
        }
        return collaborative;
    }

    /** Marks the variant whose candidates come from the baseline recommender instead of the retriever. */
    public static final String SELF_DISTILLATION_KEY = "experiment.candidates";
    public static final String SELF_DISTILLATION = "baseline-recommender";

    /** Self-distillation: the retriever only encodes; candidates are the baseline recommender's top-k. */
    public static ExperimentPlan.LabelVariant selfDistillation() {
        return new ExperimentPlan.LabelVariant("self-distillation",
                Map.of(SELF_DISTILLATION_KEY, SELF_DISTILLATION, "retriever.candidate.splits", ""));
    }

    static boolean isSelfDistillation(ExperimentPlan.LabelVariant v) {
        return SELF_DISTILLATION.equals(v.overrides().get(SELF_DISTILLATION_KEY));
    }

    /**
     * Trains the baseline on real labels and publishes its top-k items for every training context as
     * that context's candidates, so the same judge and training follow: the method's comparison of a
     * collaborative retriever with a semantic one.
     */
    private void publishRecommenderCandidates(ExperimentPlan plan, Platform vp, PipelineState state) {
        // the baseline reads real labels only, and the other dataset is not encoded yet at this point
        CrsConfig config = vp.config().with(ExtraPretraining.SETTING, "");
        Path artifactRoot = config.artifactRoot();
        TrainingRound round = new TrainingRound(config, new ArtifactStore(artifactRoot));
        long seed = config.getLong("trainer.seed");
        TrainingRound.Snapshot snapshot = round.snapshot(state, plan.dataset(), seed);
        Checkpoint baseline = round.train(snapshot, TrainerSettings.fromConfig(config, TrainingMode.BASELINE)
                .withSeed(seed), 0, null);
        int k = config.getInt("retriever.top.k");
        int maxChars = config.getInt("retriever.context.max.chars");
        int published = 0;
        try (KafkaProducer<String, Checkpoint> checkpoints = vp.producer(Topics.CHECKPOINTS, "crs-experiment-sd")) {
            checkpoints.send(new ProducerRecord<>(config.topic(Topics.CHECKPOINTS), baseline.getCheckpointId(), baseline));
        }
        try (LoadedCheckpoint model = LoadedCheckpoint.open(baseline);
                KafkaProducer<String, Candidates> producer = vp.producer(Topics.CANDIDATES, "crs-experiment-sd")) {
            for (DialogueContext c : state.contexts(plan.dataset(), "train")) {
                float[] v = state.contextVector(snapshot.encoderId(), c.contextId());
                if (v == null) {
                    continue;
                }
                List<LoadedCheckpoint.Recommendation> top = model.recommend(v, c.mentionedInOrder(), k);
                List<Candidate> items = new ArrayList<>();
                for (int r = 0; r < top.size(); r++) {
                    items.add(Candidate.newBuilder().setItemId(top.get(r).itemId()).setRank(r)
                            .setRetrievalScore(top.get(r).score()).setSource("recommender").build());
                }
                producer.send(new ProducerRecord<>(config.topic(Topics.CANDIDATES), c.contextId(),
                        Candidates.newBuilder().setContextId(c.contextId()).setDialogueId(c.dialogueId())
                                .setEncoderId(RecommenderCandidates.encoderId(baseline.getCheckpointId()))
                                .setContextText(DialogueContexts.render(c.history(), maxChars))
                                .setItems(items).build()));
                published++;
            }
            producer.flush();
        }
        out.printf("   baseline %s proposed candidates for %d training contexts%n", baseline.getCheckpointId(),
                published);
    }

    /** The base platform for a variant without overrides; otherwise the same cluster in a fresh namespace. */
    static Platform variantPlatform(Platform platform, ExperimentPlan.LabelVariant variant) {
        CrsConfig base = platform.config();
        if (variant.overrides().isEmpty()) {
            return Platform.connect(base.with("bootstrap.servers", platform.bootstrapServers())
                    .with("schema.registry.url", platform.registryUrl()));
        }
        CrsConfig c = base.withAll(variant.overrides())
                .with("bootstrap.servers", platform.bootstrapServers())
                .with("schema.registry.url", platform.registryUrl())
                .with("topic.prefix", base.get("topic.prefix", "") + "exp-" + variant.name() + "-");
        return Platform.connect(c);
    }

    private void trainAll(ExperimentPlan plan, ExperimentPlan.LabelVariant variant, Platform vp,
            PipelineState state, Map<String, LabelQuality> quality, List<RunResult> runs) {
        try (KafkaProducer<String, Checkpoint> producer = vp.producer(Topics.CHECKPOINTS, "crs-experiment")) {
            Map<String, Checkpoint> published = new java.util.HashMap<>();
            if (reuseCheckpoints) {
                CheckpointDirectory.all(vp).forEach(c -> published.put(c.getCheckpointId(), c));
            }
            for (String catalogue : plan.catalogues()) {
                // the labels were made once; only the item set the models rank over changes
                CrsConfig config = vp.config().with("catalogue", catalogue);
                boolean sweeps = catalogue.equals(plan.catalogues().get(0));
                trainCatalogue(plan, variant, config, state, quality, producer, published, sweeps, runs);
            }
            producer.flush();
        }
    }

    private void trainCatalogue(ExperimentPlan plan, ExperimentPlan.LabelVariant variant,
            CrsConfig config, PipelineState state, Map<String, LabelQuality> quality,
            KafkaProducer<String, Checkpoint> producer, Map<String, Checkpoint> published, boolean sweeps,
            List<RunResult> runs) {
        String catalogue = config.get("catalogue");
        TrainingRound round = new TrainingRound(config, new ArtifactStore(config.artifactRoot()));
        int tailMax = config.getInt("evaluator.tail.max.mentions");
        for (int s = 0; s < plan.seeds(); s++) {
            long seed = config.getLong("trainer.seed") + s;
            TrainingRound.Snapshot snapshot = round.snapshot(state, plan.dataset(), seed);
            if (sweeps) {
                quality.putIfAbsent(variant.name(), LabelQuality.of(state, plan.dataset(), snapshot.catalogue()));
                recordExtra(variant.name(), snapshot);
            }
            Set<String> tail = CheckpointEvaluator.tailItems(state, plan.dataset(), snapshot.catalogue(), tailMax);
            int[] tailPositions = tail.stream().mapToInt(id -> snapshot.catalogue().position(id).getAsInt())
                    .sorted().toArray();
            CollaborativeModel cf = collaborative(state, config, plan.dataset());
            Trainer trainer = (group, setting, backbone, settings, snap) -> {
                long started = System.nanoTime();
                java.util.Optional<Checkpoint> earlier = round.alreadyTrained(snap, settings, 0, published);
                Checkpoint cp = earlier.orElseGet(() -> round.train(snap, settings, 0, null));
                if (earlier.isEmpty()) {
                    producer.send(new ProducerRecord<>(config.topic(Topics.CHECKPOINTS), cp.getCheckpointId(), cp));
                }
                CheckpointEvaluator.Scored scored = CheckpointEvaluator.score(state, cp);
                Map<String, Double> metrics = new TreeMap<>(RecallMetrics.compute(scored.scores(),
                        scored.contexts(), RecallMetrics.Protocol.STRICT, tailPositions, KS));
                if (cf != null) {
                    metrics.putAll(CollaborativeScore.compute(scored.scores(), scored.contexts(),
                            cf.logits(scored.catalogue(), scored.contexts()), RecallMetrics.Protocol.STRICT,
                            CollaborativeScore.KS));
                }
                int[] ranks = PairRanks.compute(scored.scores(), scored.contexts(), RecallMetrics.Protocol.STRICT);
                if (semantic != null) {
                    SemanticScores.Result relevance = semantic.score(scored.catalogue(), scored.sources(),
                            scored.contexts(), scored.scores(), scored.encoderId());
                    relevance.meanAt().forEach((k, v) -> metrics.put("s@" + k, v));
                }
                out.printf(Locale.ROOT, "   seed %d %-8s %-10s %-6s %-10s R@1 %5.2f R@10 %5.2f R@50 %5.2f%s"
                        + " (%d pairs, %.0f s%s)%n", seed, catalogue, backbone, group, setting,
                        100 * metrics.get("recall@1"), 100 * metrics.get("recall@10"),
                        100 * metrics.get("recall@50"), metrics.containsKey("cs@10") ? String.format(Locale.ROOT,
                                " CS@10 %.2f CS@50 %.2f", metrics.get("cs@10"), metrics.getOrDefault("cs@50",
                                        Double.NaN)) : "", ranks.length, (System.nanoTime() - started) / 1e9,
                        earlier.isPresent() ? ", checkpoint reused" : "");
                runs.add(new RunResult(variant.name(), catalogue, backbone, group, setting, seed,
                        cp.getCheckpointId(), metrics, ranks));
            };
            for (String backbone : plan.backbones()) {
                CrsConfig withBackbone = config.with("trainer.backbone", backbone);
                for (TrainingMode mode : plan.modes()) {
                    trainer.train(GROUP_MODES, mode.label(), backbone,
                            TrainerSettings.fromConfig(withBackbone, mode).withSeed(seed), snapshot);
                }
            }
            if (sweeps) {
                sweep(plan, variant.name(), config, seed, snapshot, trainer, runs);
            }
            afterEachSeed.accept(new Outcome(plan, List.copyOf(runs), Map.copyOf(quality), Map.copyOf(extra)));
        }
    }

    /** Keeps (and prints once) the borrowed first-stage examples' figures of a variant that has them. */
    private void recordExtra(String variant, TrainingRound.Snapshot snapshot) {
        Map<String, Double> figures = new TreeMap<>();
        snapshot.dataStats().forEach((k, v) -> {
            if (k.startsWith(ExtraPretraining.STATS_PREFIX)) {
                figures.put(k, v);
            }
        });
        if (figures.isEmpty() || extra.putIfAbsent(variant, Map.copyOf(figures)) != null) {
            return;
        }
        out.println("   " + ExtraPretraining.describe(figures));
    }

    private static void sweep(ExperimentPlan plan, String variant, CrsConfig config, long seed,
            TrainingRound.Snapshot snapshot, Trainer trainer, List<RunResult> runs) {
        String first = plan.backbones().get(0);
        CrsConfig firstBackbone = config.with("trainer.backbone", first);
        TrainerSettings twoStage = TrainerSettings.fromConfig(firstBackbone, TrainingMode.TWO_STAGE)
                .withSeed(seed);
        // the configured alpha and the full label set are the two-stage run already made above:
        // reuse it rather than train the same model twice
        RunResult twoStageRun = runs.stream().filter(r -> r.variant().equals(variant) && r.seed() == seed
                && r.catalogue().equals(config.get("catalogue")) && r.backbone().equals(first)
                && r.group().equals(GROUP_MODES) && r.setting().equals(TrainingMode.TWO_STAGE.label()))
                .findFirst().orElse(null);
        for (double alpha : plan.alphas()) {
            if (twoStageRun != null && alpha == twoStage.alpha()) {
                runs.add(twoStageRun.as(GROUP_ALPHA, fmt(alpha)));
            } else {
                trainer.train(GROUP_ALPHA, fmt(alpha), first, twoStage.withAlpha(alpha), snapshot);
            }
        }
        for (double size : plan.sizes()) {
            if (twoStageRun != null && size >= 1.0) {
                runs.add(twoStageRun.as(GROUP_SIZE, fmt(size)));
            } else {
                trainer.train(GROUP_SIZE, fmt(size), first, twoStage, subsample(snapshot, size, seed));
            }
        }
    }

    @FunctionalInterface
    private interface Trainer {
        void train(String group, String setting, String backbone, TrainerSettings settings,
                TrainingRound.Snapshot snapshot);
    }

    static String fmt(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }

    /** Keeps the augmented labels of a seeded share of the labelled contexts (all labels of a context or none). */
    static TrainingRound.Snapshot subsample(TrainingRound.Snapshot s, double share, long seed) {
        if (share >= 1.0) {
            return s;
        }
        Map<float[], List<Example>> byContext = new IdentityHashMap<>();
        List<float[]> order = new ArrayList<>();
        for (Example e : s.data().augmented()) {
            byContext.computeIfAbsent(e.context(), k -> {
                order.add(k);
                return new ArrayList<>();
            }).add(e);
        }
        Collections.shuffle(order, new Random(seed));
        int keep = (int) Math.round(order.size() * share);
        List<Example> kept = new ArrayList<>();
        for (float[] c : order.subList(0, keep)) {
            kept.addAll(byContext.get(c));
        }
        TrainingData d = s.data();
        Map<String, Double> stats = new LinkedHashMap<>(s.dataStats());
        stats.put("augmented_pairs", (double) kept.size());
        stats.put("augmented_share", share);
        return new TrainingRound.Snapshot(s.dataset(), s.encoderId(), s.catalogue(),
                new TrainingData(d.numItems(), d.itemVectors(), d.real(), kept, d.validation()), s.ranges(), stats);
    }
}
