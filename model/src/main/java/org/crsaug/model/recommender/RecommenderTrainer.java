package org.crsaug.model.recommender;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.listener.EarlyStoppingListener;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.crsaug.model.eval.RecallMetrics;

/**
 * Fits a recommender in one of the four {@link TrainingMode}s.
 *
 * <p>Every stage is mini-batch Adam over full-catalogue softmax cross-entropy ({@link RecommenderLoss}), one
 * sample per (context, label) pair, with examples shuffled by a {@link Random} seeded from the settings
 * ({@link ExampleBatches}), run by DJL's {@link EasyTrain#fit}. After each epoch the model is scored on the
 * validation contexts (strict protocol, {@link EpochLogListener}) and the epoch with the best recall@50
 * (ties: recall@10, recall@1, then the earlier epoch) is the one a stage hands on; training stops after
 * {@code patience} epochs without improvement ({@link BestEpochListener}). In TWO_STAGE the kept
 * pre-training weights are both the starting point of fine-tuning and, frozen in a separate model, the
 * source of the soft labels, which are recomputed batch by batch so memory never grows with dataset size
 * times catalogue size. docs/design-training.md says which parts are DJL's and why the rest is not.
 *
 * <p>Reproducibility: initial weights come from {@code java.util.Random(seed)}, the engine seed is set
 * from the settings too, and {@link DjlRuntime} pins PyTorch to one CPU thread unless
 * {@code -Dai.djl.pytorch.num_threads} is given, so on CPU two runs with equal inputs give identical scores.
 * Training runs on the first GPU when PyTorch finds one.
 */
public final class RecommenderTrainer {

    private static final int[] VALIDATION_KS = RecallMetrics.DEFAULT_KS;

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
        // one training at a time per process: DJL records gradients process-wide
        synchronized (DjlRuntime.trainingLock()) {
            // a stop that came while this waited for the lock ends it before anything is built
            StopOnInterrupt.check("start");
            return trainAlone(data, s, warmStart);
        }
    }

    private TrainedRecommender trainAlone(TrainingData data, TrainerSettings s, TrainedRecommender warmStart) {
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
        EpochLogListener epochLog = new EpochLogListener(name, epochs, model -> data.validation().isEmpty() ? Map.of()
                : TrainedRecommender.evaluate(model, backbone, dims, data.validation(), RecallMetrics.Protocol.STRICT,
                        null, VALIDATION_KS));
        BestEpochListener selection = new BestEpochListener(epochLog, s.patience());
        // only our two listeners: DJL's default ones would re-evaluate the loss and log per batch for nothing
        DefaultTrainingConfig config = new DefaultTrainingConfig(new RecommenderLoss(s.alpha()))
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) s.learningRate())).build())
                .optDevices(new Device[] {DjlRuntime.device()})
                .addTrainingListeners(epochLog, selection, new StopOnInterrupt(name));
        Weights best;
        try (Model model = TrainedRecommender.newModel(backbone, dims, start, "crs-" + name);
             Model teacher = teacherWeights == null ? null
                     : TrainedRecommender.newModel(backbone, dims, teacherWeights, "crs-teacher");
             Trainer trainer = model.newTrainer(config)) {
            trainer.initialize(backbone.inputShapes(dims));
            ExampleBatches batches = new ExampleBatches(examples, shuffle, s.batchSize(), backbone, dims,
                    teacher == null ? null : new ExampleBatches.Teacher(teacher, s.temperature()));
            try {
                EasyTrain.fit(trainer, epochs, batches, null);
            } catch (EarlyStoppingListener.EarlyStoppedException stopped) {
                // the listener has logged why; its best epoch is what this stage hands on
            } catch (IOException | TranslateException e) {
                throw new IllegalStateException("training stage " + name + " failed", e);
            }
            // without validation metrics nothing was selected, and the last epoch is the result
            best = selection.best() != null ? selection.best() : Weights.capture(model.getBlock());
        }
        return new StageResult(best, selection.bestMetrics(), epochLog.log());
    }
}
