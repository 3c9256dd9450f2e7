package org.crsaug.model.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.metrics.PipelineMeters;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.model.recommender.EvalContext;
import org.crsaug.model.recommender.EpochLog;
import org.crsaug.model.recommender.Example;
import org.crsaug.model.recommender.NetworkDims;
import org.crsaug.model.recommender.RecommenderTrainer;
import org.crsaug.model.recommender.TrainedRecommender;
import org.crsaug.model.recommender.TrainerSettings;
import org.crsaug.model.recommender.TrainingData;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.data.state.PipelineState;
import org.crsaug.model.training.Catalogue;
import org.crsaug.model.training.ExampleSets;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Item;
import org.crsaug.schema.Label;
import org.crsaug.schema.OffsetRange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training round: a snapshot of the pipeline's state becomes training data, each requested mode
 * trains a model on exactly that data, and each model is published as an artifact plus a checkpoint
 * record that says what it was made from (offset ranges, settings, seed, parent checkpoint).
 *
 * <p>Determinism: the snapshot is a pure function of the records below the recorded offsets (contexts are
 * listed in id order, the hold-out is a hash of the dialogue id and seed), and training is deterministic on
 * CPU as long as PyTorch runs single-threaded, which is the default (see {@code DjlRuntime}); setting
 * {@code -Dai.djl.pytorch.num_threads} buys speed at the cost of bit-identical results.
 */
public final class TrainingRound {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingRound.class);
    static final String VALIDATION_SPLIT = "valid";

    private final CrsConfig config;
    private final ArtifactStore artifacts;

    public TrainingRound(CrsConfig config, ArtifactStore artifacts) {
        this.config = config;
        this.artifacts = artifacts;
    }

    /** The training inputs of one dataset at one moment. */
    private static final String WARM_START_KEY = "trainer.warm.start";

    public record Snapshot(String dataset, String encoderId, Catalogue catalogue, TrainingData data,
            List<OffsetRange> ranges, Map<String, Double> dataStats) {
    }

    public Snapshot snapshot(PipelineState state, String dataset, long seed) {
        String encoderId = state.encoderId();
        if (encoderId == null) {
            throw new IllegalStateException("No context embeddings yet: is the retriever running?");
        }
        List<Item> items = state.items(dataset, catalogueMetadataOnly(config));
        if (items.isEmpty()) {
            throw new IllegalStateException("No items of dataset '" + dataset + "' in the items topic; ingest first");
        }
        Catalogue catalogue = new Catalogue(items.stream().map(Item::getItemId).toList());
        Function<String, float[]> vectorOf = id -> state.contextVector(encoderId, id);

        List<DialogueContext> train = new ArrayList<>();
        // an official validation split is used as published; otherwise a seeded share of training
        // dialogues is held out. Either way the test split never influences training.
        List<DialogueContext> validation = new ArrayList<>(state.contexts(dataset, VALIDATION_SPLIT));
        boolean officialValidation = !validation.isEmpty();
        double fraction = config.getDouble("trainer.validation.fraction");
        for (DialogueContext c : state.contexts(dataset, "train")) {
            if (!officialValidation && heldOut(c.dialogueId(), seed, fraction)) {
                validation.add(c);
            } else {
                train.add(c);
            }
        }
        ExampleSets.Skipped skipped = new ExampleSets.Skipped();
        List<Example> real = ExampleSets.examples(train, catalogue, vectorOf, DialogueContext::goldItemIds, skipped);
        List<Example> augmented = ExampleSets.examples(train, catalogue, vectorOf, c -> augmentedLabels(state, c),
                skipped);
        List<EvalContext> valid = ExampleSets.evalContexts(validation, catalogue, vectorOf, skipped);
        // the other dataset's examples join the first stage only: fine-tuning reads `real` alone
        java.util.Optional<ExtraPretraining.Result> extra = ExtraPretraining.fromState(config, state, dataset,
                catalogue, encoderId);
        List<Example> firstStage = new ArrayList<>(augmented);
        extra.ifPresent(e -> firstStage.addAll(e.examples()));
        float[][] itemVectors = itemVectors(state, encoderId, catalogue);

        Map<String, Double> stats = new LinkedHashMap<>();
        stats.put("train_contexts", (double) train.size());
        stats.put("validation_contexts", (double) valid.size());
        stats.put("real_pairs", (double) real.size());
        stats.put("augmented_pairs", (double) augmented.size());
        stats.put("catalogue_items", (double) catalogue.size());
        stats.put("skipped_contexts_without_vector", (double) skipped.contextsWithoutVector);
        stats.put("skipped_labels_outside_catalogue", (double) skipped.labelsOutsideCatalogue);
        extra.ifPresent(e -> stats.putAll(e.stats()));
        LOG.info("Round data for {}: {}", dataset, stats);
        return new Snapshot(dataset, encoderId, catalogue,
                new TrainingData(catalogue.size(), itemVectors, real, firstStage, valid), state.offsetRanges(), stats);
    }

    /** A dialogue-level, seed-dependent coin: all contexts of a dialogue land on the same side. */
    static boolean heldOut(String dialogueId, long seed, double fraction) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (byte b : dialogueId.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001B3L;
        }
        h ^= h >>> 33;
        return (h >>> 11) * 0x1.0p-53 < fraction;
    }

    private static List<String> augmentedLabels(PipelineState state, DialogueContext c) {
        AugmentedLabels labels = state.labels(c.contextId());
        if (labels == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Label l : labels.getLabels()) {
            out.add(l.getItemId());
        }
        return out;
    }

    /** Item-side initial vectors; null (random start) unless every catalogue item has one. */
    private static float[][] itemVectors(PipelineState state, String encoderId, Catalogue catalogue) {
        float[][] out = new float[catalogue.size()][];
        for (int i = 0; i < catalogue.size(); i++) {
            out[i] = state.itemVector(encoderId, catalogue.itemId(i));
            if (out[i] == null) {
                LOG.warn("Item {} has no embedding yet; item side starts from random vectors", catalogue.itemId(i));
                return null;
            }
        }
        return out;
    }

    /** Trains one mode from scratch. */
    public Checkpoint train(Snapshot snapshot, TrainingMode mode, int round) {
        return train(snapshot, mode, round, null);
    }

    /**
     * Trains one mode, starting from {@code previous}'s parameters when that checkpoint can serve (same
     * dataset, mode, backbone, encoder, catalogue in the same order, and shapes); otherwise from scratch.
     * The checkpoint names the parent it started from, and only then.
     */
    public Checkpoint train(Snapshot snapshot, TrainingMode mode, int round, Checkpoint previous) {
        return train(snapshot, TrainerSettings.fromConfig(config, mode), round, previous);
    }

    /** As above with explicit settings: experiments vary alpha, seed and backbone per model. */
    public Checkpoint train(Snapshot snapshot, TrainerSettings settings, int round, Checkpoint previous) {
        TrainingMode mode = settings.mode();
        long started = System.currentTimeMillis();
        TrainedRecommender warm = warmStart(snapshot, settings, previous);
        String parentId = warm == null ? null : previous.getCheckpointId();
        TrainedRecommender trained;
        try (warm) {
            trained = new RecommenderTrainer().train(snapshot.data(), settings, warm);
        }
        try (TrainedRecommender model = trained) {
            String id = checkpointId(snapshot, mode, settings, round, parentId);
            ArtifactStore.Published published = artifacts.publish(id, dir -> {
                model.save(dir.resolve(TrainedRecommender.ARTIFACT_ENTRY));
                snapshot.catalogue().writeTo(dir);
                Files.writeString(dir.resolve("encoder.txt"), snapshot.encoderId());
            });
            Map<String, Double> metrics = new TreeMap<>(snapshot.dataStats());
            model.validationMetrics().forEach((k, v) -> metrics.put("validation_" + k, v));
            metrics.put("train_seconds", (System.currentTimeMillis() - started) / 1000.0);
            Map<String, String> recorded = recordedConfig(snapshot, settings);
            recorded.put(WARM_START_KEY, Boolean.toString(parentId != null));
            LOG.info("Checkpoint {} ({}): {}", id, mode, metrics);
            for (EpochLog e : model.history()) {
                PipelineMeters.recordEpochLoss(snapshot.dataset(), modeName(mode), e.stage(), e.epoch(), e.trainLoss());
            }
            return Checkpoint.newBuilder()
                    .setCheckpointId(id)
                    .setRound(round)
                    .setStage(mode == TrainingMode.TWO_STAGE ? "fine-tuned" : "trained")
                    .setMode(modeName(mode))
                    .setBackbone(settings.backbone())
                    .setDataset(snapshot.dataset())
                    .setArtifactUri(published.uri())
                    .setSha256(published.sha256())
                    .setCreatedAtMs(System.currentTimeMillis())
                    .setMetrics(metrics)
                    .setInputRanges(snapshot.ranges())
                    .setConfig(recorded)
                    .setSeed(settings.seed())
                    .setParentCheckpointId(parentId)
                    .setCodeVersion(codeVersion())
                    .build();
        }
    }

    /** What a checkpoint records of the settings it was trained with (its warm start added by the caller). */
    private Map<String, String> recordedConfig(Snapshot snapshot, TrainerSettings settings) {
        Map<String, String> recorded = new TreeMap<>(settings.asMap());
        recorded.put("encoder", snapshot.encoderId());
        recorded.put("scorer.judge", config.get("scorer.judge"));
        recorded.put("scorer.threshold", config.get("scorer.threshold"));
        recorded.put("retriever.top.k", config.get("retriever.top.k"));
        recorded.put("catalogue", config.get("catalogue"));
        // recorded only when set, so that a replay borrows the same examples and other lineages stay as they were
        String extra = config.get(ExtraPretraining.SETTING, "").strip();
        if (!extra.isEmpty()) {
            recorded.put(ExtraPretraining.SETTING, extra);
        }
        return recorded;
    }

    /**
     * Whether {@code previous} was trained by this code on exactly this snapshot's data (the same offset
     * ranges of every input topic) with these settings: training again would only repeat it, or, warm-started
     * from it, drift away from what the same command printed before.
     */
    public boolean trainedOn(Snapshot snapshot, TrainingMode mode, Checkpoint previous) {
        return previous != null && sameTraining(previous, snapshot, TrainerSettings.fromConfig(config, mode));
    }

    /** This code, these recorded settings (its warm start aside) and these offset ranges made {@code cp}. */
    private boolean sameTraining(Checkpoint cp, Snapshot snapshot, TrainerSettings settings) {
        if (!cp.getCodeVersion().equals(codeVersion())) {
            return false;
        }
        Map<String, String> then = new TreeMap<>(cp.getConfig());
        then.remove(WARM_START_KEY);
        return then.equals(recordedConfig(snapshot, settings))
                && new java.util.HashSet<>(cp.getInputRanges()).equals(new java.util.HashSet<>(snapshot.ranges()));
    }

    /**
     * The published checkpoint that training these settings on this snapshot from scratch would only repeat: the
     * same id (data, settings, round), no parent, trained by this code with the same recorded settings on the same
     * offset ranges, and its artifact still in the store. Training is deterministic on CPU, so it is the model
     * training would give again. An experiment run again (a stopped grid resumed) takes these instead of training.
     *
     * @param published checkpoints by id (the checkpoints topic)
     */
    public java.util.Optional<Checkpoint> alreadyTrained(Snapshot snapshot, TrainerSettings settings, int round,
            Map<String, Checkpoint> published) {
        Checkpoint cp = published.get(checkpointId(snapshot, settings.mode(), settings, round, null));
        boolean reusable = cp != null && cp.getParentCheckpointId() == null && sameTraining(cp, snapshot, settings)
                && java.nio.file.Files.isDirectory(artifacts.root().resolve(cp.getCheckpointId()));
        return reusable ? java.util.Optional.of(cp) : java.util.Optional.empty();
    }

    /** {@code catalogue=metadata} restricts models to items with descriptive metadata; {@code all} keeps every title. */
    static boolean catalogueMetadataOnly(CrsConfig config) {
        String scope = config.get("catalogue");
        return switch (scope) {
            case "metadata" -> true;
            case "all" -> false;
            default -> throw new org.crsaug.platform.config.ConfigException(
                    "catalogue must be 'all' or 'metadata', got '" + scope + "'");
        };
    }

    public static String modeName(TrainingMode mode) {
        return mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * The previous checkpoint's model when it may seed this run, else null (with the reason logged). Any
     * mismatch means a cold start rather than an error: a new catalogue or encoder is a normal event.
     */
    private TrainedRecommender warmStart(Snapshot snapshot, TrainerSettings settings, Checkpoint previous) {
        if (previous == null || !config.getBoolean("trainer.warm.start")) {
            return null;
        }
        String why = null;
        if (!previous.getDataset().equals(snapshot.dataset())) {
            why = "dataset " + previous.getDataset();
        } else if (!previous.getMode().equals(modeName(settings.mode()))) {
            why = "mode " + previous.getMode();
        } else if (!previous.getBackbone().equals(settings.backbone())) {
            why = "backbone " + previous.getBackbone();
        }
        if (why != null) {
            LOG.info("Not warm-starting from {}: it has a different {}", previous.getCheckpointId(), why);
            return null;
        }
        TrainedRecommender model = null;
        try {
            Path dir = ArtifactStore.open(previous.getArtifactUri(), previous.getSha256());
            if (!Catalogue.readFrom(dir).itemIds().equals(snapshot.catalogue().itemIds())) {
                why = "catalogue";
            } else if (!Files.readString(dir.resolve("encoder.txt")).strip().equals(snapshot.encoderId())) {
                why = "context encoder";
            } else {
                model = TrainedRecommender.load(dir.resolve(TrainedRecommender.ARTIFACT_ENTRY));
                NetworkDims dims = new NetworkDims(snapshot.data().contextDim(), settings.hidden(),
                        snapshot.data().numItems());
                if (!RecommenderTrainer.canWarmStart(model, settings.backbone(), dims)) {
                    why = "network shape (" + model.dims() + " vs " + dims + ")";
                    model.close();
                    model = null;
                }
            }
        } catch (IOException | RuntimeException e) {
            why = "unreadable artifact (" + e.getMessage() + ")";
        }
        if (model == null) {
            LOG.info("Not warm-starting from {}: different {}", previous.getCheckpointId(), why);
        } else {
            LOG.info("Warm-starting {} from {}", modeName(settings.mode()), previous.getCheckpointId());
        }
        return model;
    }

    private static String checkpointId(Snapshot s, TrainingMode mode, TrainerSettings settings, int round,
            String parentId) {
        Set<String> parts = new HashSet<>();
        s.ranges().forEach(r -> parts.add(r.toString()));
        // the data itself is part of the fingerprint: experiments train on subsets of one snapshot
        String fingerprint = org.crsaug.data.item.ItemText.contentHash(String.join(",", new java.util.TreeSet<>(parts))
                + settings.asMap() + s.dataStats() + parentId).substring(0, 8);
        return s.dataset() + "-r" + round + "-" + modeName(mode) + "-" + settings.backbone() + "-" + fingerprint;
    }

    static String codeVersion() {
        String v = TrainingRound.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
