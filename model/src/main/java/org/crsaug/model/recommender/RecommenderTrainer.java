package org.crsaug.model.recommender;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.crsaug.model.eval.RecallMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits a recommender in one of the four {@link TrainingMode}s.
 *
 * <p>Every stage is mini-batch Adam over full-catalogue softmax cross-entropy, one sample per
 * (context, label) pair, with examples shuffled by a {@link Random} seeded from the settings. After each
 * epoch the model is scored on the validation contexts (strict protocol) and the epoch with the best
 * recall@50 (ties: recall@10, recall@1, then the earlier epoch) is the one a stage hands on; training stops after
 * {@code patience} epochs without improvement. In TWO_STAGE the kept pre-training weights are both the
 * starting point of fine-tuning and, frozen in a separate model, the source of the soft labels, which are
 * recomputed batch by batch so memory never grows with dataset size times catalogue size.
 *
 * <p>Reproducibility: initial weights come from {@code java.util.Random(seed)}, the engine seed is set
 * from the settings too, and {@link DjlRuntime} pins PyTorch to one CPU thread unless
 * {@code -Dai.djl.pytorch.num_threads} is given, so on CPU two runs with equal inputs give identical scores.
 * Training runs on the first GPU when PyTorch finds one.
 */
public final class RecommenderTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(RecommenderTrainer.class);
    private static final int[] VALIDATION_KS = RecallMetrics.DEFAULT_KS;
    static final String SELECTION_METRIC = "recall@50";

    /** Weights and log of one finished stage. */
    private record StageResult(Weights weights, Map<String, Double> metrics, List<EpochLog> log) {
    }

    public TrainedRecommender train(TrainingData data, TrainerSettings s) {
        return train(data, s, null);
    }

    /**
     * As {@link #train(TrainingData, TrainerSettings)}, but the first stage starts from {@code warmStart}'s
     * parameters instead of fresh ones (the items, their order and the context encoder must be the same; the
     * caller checks that, this method checks backbone and shapes).
     *
     * @param warmStart a model of the same backbone and {@link NetworkDims}, or null for a cold start
     * @throws IllegalArgumentException when {@code warmStart} cannot serve as a starting point
     */
    public TrainedRecommender train(TrainingData data, TrainerSettings s, TrainedRecommender warmStart) {
        Backbone backbone = Backbone.forName(s.backbone());
        int dim = checkData(data, s);
        NetworkDims dims = new NetworkDims(dim, s.hidden(), data.numItems());
        if (warmStart != null && !canWarmStart(warmStart, s.backbone(), dims)) {
            throw new IllegalArgumentException("cannot warm-start a " + s.backbone() + " " + dims + " model from a "
                    + warmStart.backbone() + " " + warmStart.dims() + " model");
        }
        DjlRuntime.engine().setRandomSeed((int) (s.seed() ^ (s.seed() >>> 32)));
        Random shuffle = new Random(s.seed());
        Random init = new Random(s.seed() * 0x9E3779B97F4A7C15L + 1);
        Weights start = warmStart != null ? warmStart.weights()
                : initialWeights(backbone, dims, data.itemVectors(), init);

        List<EpochLog> history = new ArrayList<>();
        StageResult last = switch (s.mode()) {
            case BASELINE -> stage("baseline", data.real(), s.finetuneEpochs(), start, null, data, dims, backbone, s, shuffle);
            case AUG_ONLY -> stage("pretrain", data.augmented(), s.pretrainEpochs(), start, null, data, dims, backbone, s, shuffle);
            case MIX -> {
                List<Example> pooled = new ArrayList<>(data.real().size() + data.augmented().size());
                pooled.addAll(data.real());
                pooled.addAll(data.augmented());
                yield stage("mix", pooled, s.finetuneEpochs(), start, null, data, dims, backbone, s, shuffle);
            }
            case TWO_STAGE -> {
                StageResult pre = stage("pretrain", data.augmented(), s.pretrainEpochs(), start, null, data, dims,
                        backbone, s, shuffle);
                history.addAll(pre.log());
                if (s.finetuneEpochs() == 0) {
                    yield new StageResult(pre.weights(), pre.metrics(), List.of());
                }
                Weights teacher = s.alpha() > 0 ? pre.weights() : null;
                yield stage("finetune", data.real(), s.finetuneEpochs(), pre.weights(), teacher, data, dims, backbone, s,
                        shuffle);
            }
        };
        history.addAll(last.log());
        return TrainedRecommender.create(backbone, dims, last.weights(), s.asMap(), last.metrics(), history);
    }

    /** Whether {@code model} has the backbone and parameter shapes a run with these settings would build. */
    public static boolean canWarmStart(TrainedRecommender model, String backbone, NetworkDims dims) {
        return model.backbone().equals(backbone) && model.dims().equals(dims);
    }

    private static int checkData(TrainingData data, TrainerSettings s) {
        boolean needsReal = s.mode() != TrainingMode.AUG_ONLY;
        boolean needsAug = s.mode() == TrainingMode.TWO_STAGE || s.mode() == TrainingMode.AUG_ONLY;
        if (needsReal && data.real().isEmpty()) {
            throw new IllegalArgumentException(s.mode().label() + " training needs real-label examples, but there are none");
        }
        if (needsAug && data.augmented().isEmpty()) {
            throw new IllegalArgumentException(s.mode().label()
                    + " training needs augmented-label examples, but there are none; run the scorer first");
        }
        int dim = data.contextDim();
        for (List<Example> list : List.of(data.real(), data.augmented())) {
            for (Example e : list) {
                if (e.context().length != dim) {
                    throw new IllegalArgumentException("contexts have mixed dimensions " + dim + " and " + e.context().length);
                }
                if (e.itemIndex() >= data.numItems()) {
                    throw new IllegalArgumentException("label " + e.itemIndex() + " is outside the catalogue of "
                            + data.numItems() + " items");
                }
            }
        }
        for (EvalContext c : data.validation()) {
            if (c.context().length != dim) {
                throw new IllegalArgumentException("validation context has dimension " + c.context().length
                        + ", training contexts have " + dim);
            }
        }
        return dim;
    }

    private static Weights initialWeights(Backbone backbone, NetworkDims dims, float[][] itemVectors, Random rng) {
        // materialise once on the host so every mode starts from exactly the same values for a given seed
        try (Model model = Model.newInstance("crs-init", Device.cpu(), DjlRuntime.ENGINE)) {
            Block block = backbone.newBlock(dims, itemVectors, rng);
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, backbone.inputShapes(dims));
            return Weights.capture(block);
        }
    }

    private StageResult stage(String name, List<Example> examples, int epochs, Weights start, Weights teacherWeights,
                              TrainingData data, NetworkDims dims, Backbone backbone, TrainerSettings s,
                              Random shuffle) {
        if (epochs == 0) {
            return new StageResult(start, Map.of(), List.of());
        }
        List<EpochLog> log = new ArrayList<>();
        Weights best = null;
        Map<String, Double> bestMetrics = Map.of();
        int sinceBest = 0;
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) s.learningRate())).build())
                .optDevices(new Device[] {DjlRuntime.device()});
        try (Model model = TrainedRecommender.newModel(backbone, dims, start, "crs-" + name);
             Model teacher = teacherWeights == null ? null
                     : TrainedRecommender.newModel(backbone, dims, teacherWeights, "crs-teacher");
             Trainer trainer = model.newTrainer(config)) {
            trainer.initialize(backbone.inputShapes(dims));
            ParameterStore teacherStore = teacher == null ? null : new ParameterStore(teacher.getNDManager(), false);
            int[] order = new int[examples.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            for (int epoch = 1; epoch <= epochs; epoch++) {
                shuffleInPlace(order, shuffle);
                double loss = trainEpoch(trainer, examples, order, teacher, teacherStore, backbone, dims, s);
                Map<String, Double> metrics = data.validation().isEmpty() ? Map.of()
                        : TrainedRecommender.evaluate(model, backbone, dims, data.validation(),
                                RecallMetrics.Protocol.STRICT, null, VALIDATION_KS);
                log.add(new EpochLog(name, epoch, loss, metrics));
                LOG.info("{} epoch {}/{}: loss {} validation {}", name, epoch, epochs, String.format("%.4f", loss), metrics);
                if (data.validation().isEmpty()) {
                    continue;
                }
                if (best == null || improves(metrics, bestMetrics)) {
                    best = Weights.capture(model.getBlock());
                    bestMetrics = metrics;
                    sinceBest = 0;
                } else if (s.patience() > 0 && ++sinceBest >= s.patience()) {
                    LOG.info("{}: no validation gain for {} epochs, keeping epoch with {}={}", name, sinceBest,
                            SELECTION_METRIC, bestMetrics.get(SELECTION_METRIC));
                    break;
                }
            }
            if (best == null) {
                best = Weights.capture(model.getBlock());
            }
        }
        return new StageResult(best, new LinkedHashMap<>(bestMetrics), log);
    }

    private static boolean improves(Map<String, Double> m, Map<String, Double> best) {
        int c = Double.compare(m.getOrDefault(SELECTION_METRIC, 0.0), best.getOrDefault(SELECTION_METRIC, 0.0));
        if (c != 0) {
            return c > 0;
        }
        // small catalogues saturate recall@50, so finer cut-offs break the tie before the earlier epoch wins
        c = Double.compare(m.getOrDefault("recall@10", 0.0), best.getOrDefault("recall@10", 0.0));
        if (c != 0) {
            return c > 0;
        }
        return m.getOrDefault("recall@1", 0.0) > best.getOrDefault("recall@1", 0.0);
    }

    /**
     * The training objective of one batch: mean cross-entropy of the full-catalogue softmax against
     * {@code target} ({@code (batch, 1)} item positions), plus {@code alpha} times the batch mean of
     * KL(P_model || P_soft) = sum_j p_j (log p_j - log q_j) when soft labels are given.
     *
     * @param softLog log-probabilities of the soft labels ({@code (batch, numItems)}), or null for plain CE
     */
    static NDArray loss(NDArray logits, NDArray target, NDArray softLog, double alpha) {
        NDArray logp = logits.logSoftmax(1);
        NDArray loss = logp.gather(target, 1).neg().mean();
        if (softLog == null || alpha == 0) {
            return loss;
        }
        NDArray kl = logp.exp().mul(logp.sub(softLog)).sum(new int[] {1}).mean();
        return loss.add(kl.mul((float) alpha));
    }

    private static void shuffleInPlace(int[] a, Random rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** @return mean per-sample loss of the epoch */
    private static double trainEpoch(Trainer trainer, List<Example> examples, int[] order, Model teacher,
                                     ParameterStore teacherStore, Backbone backbone, NetworkDims dims,
                                     TrainerSettings s) {
        double total = 0;
        for (int start = 0; start < order.length; start += s.batchSize()) {
            int end = Math.min(order.length, start + s.batchSize());
            int size = end - start;
            float[][] contexts = new float[size][];
            int[][] mentioned = new int[size][];
            long[] labels = new long[size];
            for (int i = 0; i < size; i++) {
                Example e = examples.get(order[start + i]);
                contexts[i] = e.context();
                mentioned[i] = e.mentioned();
                labels[i] = e.itemIndex();
            }
            // everything allocated for this batch dies with this manager, so epochs cannot leak device memory
            try (NDManager batch = trainer.getManager().newSubManager()) {
                NDList inputs = backbone.inputs(batch, dims, contexts, mentioned);
                NDArray target = batch.create(labels).reshape(size, 1);
                NDArray softLog = null;
                if (teacher != null) {
                    // computed before the gradient scope opens: the soft labels are constants for the student
                    softLog = teacher.getBlock().forward(teacherStore, inputs, false).head()
                            .div((float) s.temperature()).logSoftmax(1).stopGradient();
                }
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDArray loss = loss(trainer.forward(inputs).head(), target, softLog, s.alpha());
                    collector.backward(loss);
                    total += loss.getFloat() * size;
                }
                trainer.step();
            }
        }
        return total / order.length;
    }
}
