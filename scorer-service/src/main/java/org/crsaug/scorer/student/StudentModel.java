package org.crsaug.scorer.student;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.crsaug.model.recommender.DjlRuntime;

/**
 * The distilled scorer: a one-hidden-layer regression network from {@link StudentFeatures} to a 0-4
 * score, trained with mean squared error on a teacher's scores. Small on purpose: it must score every
 * candidate of every context on a CPU while the teacher only sees a sample.
 *
 * <p>One instance is shared by every stream thread; each thread gets its own predictor (DJL
 * predictors are not thread-safe), and all of them are closed with the model.
 */
public final class StudentModel implements AutoCloseable {

    static final String PARAMS = "student";
    private final Model model;
    private final int inputSize;
    private final List<Predictor<float[][], float[]>> predictors = new ArrayList<>();
    private final ThreadLocal<Predictor<float[][], float[]>> perThread;

    private StudentModel(Model model, int inputSize) {
        this.model = model;
        this.inputSize = inputSize;
        this.perThread = ThreadLocal.withInitial(() -> {
            Predictor<float[][], float[]> p = model.newPredictor(new ScoreTranslator());
            synchronized (predictors) {
                predictors.add(p);
            }
            return p;
        });
    }

    public int inputSize() {
        return inputSize;
    }

    /** Scores clamped into 0..4, one per feature row. */
    public float[] score(float[][] features) {
        if (features.length == 0) {
            return new float[0];
        }
        try {
            float[] raw = perThread.get().predict(features);
            for (int i = 0; i < raw.length; i++) {
                raw[i] = Math.max(0f, Math.min(4f, raw[i]));
            }
            return raw;
        } catch (TranslateException e) {
            throw new IllegalStateException("Student model failed to score " + features.length + " pairs", e);
        }
    }

    public void save(Path dir) {
        try {
            model.save(dir, PARAMS);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save the student model to " + dir, e);
        }
    }

    public static StudentModel load(Path dir, int inputSize, int hidden) {
        Model model = newModel(inputSize, hidden, 0);
        try {
            model.load(dir, PARAMS);
            return new StudentModel(model, inputSize);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new IllegalStateException("Cannot load the student model from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Trainable settings of one training run. */
    public record Settings(int hidden, int epochs, int batchSize, double learningRate, long seed) {
    }

    /**
     * Trains on (features, target) with MSE and keeps the weights of the epoch with the lowest
     * validation MSE, so extra epochs cannot make the published model worse on unseen contexts.
     */
    public static StudentModel train(float[][] x, float[] y, float[][] validX, float[] validY, Settings s) {
        // DJL records gradients process-wide: no recommender may train in this JVM at the same time
        synchronized (DjlRuntime.trainingLock()) {
            return trainAlone(x, y, validX, validY, s);
        }
    }

    private static StudentModel trainAlone(float[][] x, float[] y, float[][] validX, float[] validY, Settings s) {
        if (x.length == 0) {
            throw new IllegalArgumentException("No training examples for the student");
        }
        int inputSize = x[0].length;
        Model model = newModel(inputSize, s.hidden(), s.seed());
        try {
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                    .optDevices(new Device[] {model.getNDManager().getDevice()})
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) s.learningRate()))
                            .build());
            StudentModel student = new StudentModel(model, inputSize);
            double best = Double.MAX_VALUE;
            List<NDArray> bestWeights = null;
            Random rng = new Random(s.seed());
            int[] order = new int[x.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, inputSize));
                for (int epoch = 0; epoch < s.epochs(); epoch++) {
                    shuffle(order, rng);
                    for (int start = 0; start < order.length; start += s.batchSize()) {
                        int end = Math.min(order.length, start + s.batchSize());
                        float[][] bx = new float[end - start][];
                        float[] by = new float[end - start];
                        for (int i = start; i < end; i++) {
                            bx[i - start] = x[order[i]];
                            by[i - start] = y[order[i]];
                        }
                        try (NDManager batch = trainer.getManager().newSubManager()) {
                            NDArray in = batch.create(bx);
                            NDArray target = batch.create(by);
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray pred = trainer.forward(new NDList(in)).head().reshape(-1);
                                NDArray loss = pred.sub(target).square().mean();
                                gc.backward(loss);
                            }
                            trainer.step();
                        }
                    }
                    double mse = validX.length == 0 ? -epoch : mse(student.predictRaw(validX), validY);
                    if (mse < best) {
                        best = mse;
                        if (bestWeights != null) {
                            bestWeights.forEach(NDArray::close);
                        }
                        bestWeights = snapshot(model);
                    }
                }
            }
            restore(model, bestWeights);
            bestWeights.forEach(NDArray::close);
            return student;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private float[] predictRaw(float[][] x) {
        try (Predictor<float[][], float[]> p = model.newPredictor(new ScoreTranslator())) {
            return p.predict(x);
        } catch (TranslateException e) {
            throw new IllegalStateException(e);
        }
    }

    static double mse(float[] pred, float[] target) {
        double sum = 0;
        for (int i = 0; i < pred.length; i++) {
            double d = Math.max(0f, Math.min(4f, pred[i])) - target[i];
            sum += d * d;
        }
        return pred.length == 0 ? Double.NaN : sum / pred.length;
    }

    private static List<NDArray> snapshot(Model model) {
        List<NDArray> out = new ArrayList<>();
        model.getBlock().getParameters().forEach(p -> {
            NDArray copy = p.getValue().getArray().duplicate();
            copy.detach();
            out.add(copy);
        });
        return out;
    }

    private static void restore(Model model, List<NDArray> weights) {
        int i = 0;
        for (var p : model.getBlock().getParameters()) {
            p.getValue().getArray().set(weights.get(i++).toFloatArray());
        }
    }

    private static void shuffle(int[] a, Random rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static Model newModel(int inputSize, int hidden, long seed) {
        DjlRuntime.engine();
        Model model = Model.newInstance("crs-student", DjlRuntime.device(), DjlRuntime.ENGINE);
        try {
            Block block = new SequentialBlock()
                    .add(Linear.builder().setUnits(hidden).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(1).build());
            model.setBlock(block);
            // a fixed seed makes two trainings on the same examples give the same weights on a CPU
            model.getNDManager().getEngine().setRandomSeed((int) seed);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, inputSize));
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public void close() {
        synchronized (predictors) {
            predictors.forEach(Predictor::close);
            predictors.clear();
        }
        model.close();
    }

    private static final class ScoreTranslator implements NoBatchifyTranslator<float[][], float[]> {
        @Override
        public NDList processInput(TranslatorContext ctx, float[][] input) {
            return new NDList(ctx.getNDManager().create(input));
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList list) {
            return list.head().reshape(-1).toFloatArray();
        }
    }
}
