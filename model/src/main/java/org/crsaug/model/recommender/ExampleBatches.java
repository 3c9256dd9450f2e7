package org.crsaug.model.recommender;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.Batchifier;
import ai.djl.util.Progress;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * One stage's training examples as a DJL {@link Dataset}: every pass ({@link Iterable#iterator()}, i.e.
 * every epoch of {@link ai.djl.training.EasyTrain#fit}) first reshuffles the example order with the
 * stage's {@link Random}, then yields consecutive mini-batches in that order. Each batch lives in its own
 * sub-manager that {@link Batch#close()} (called by {@code fit}) frees, so epochs cannot leak device memory.
 *
 * <p>Batch labels are {@code [target]}, or {@code [target, softLog]} when a frozen pre-trained model is
 * given: its tempered log-probabilities are computed here, before {@code trainBatch} opens the gradient
 * scope, because they are constants for the model being trained (see {@link RecommenderLoss}).
 */
final class ExampleBatches implements Dataset {

    /** The frozen pre-trained model that supplies soft labels, and its softmax temperature. */
    record Teacher(Model model, double temperature) {
    }

    private final List<Example> examples;
    private final int[] order;
    private final Random shuffle;
    private final int batchSize;
    private final Backbone backbone;
    private final NetworkDims dims;
    private final Teacher teacher;
    private final ParameterStore teacherStore;

    /** @param teacher null for hard labels only */
    ExampleBatches(List<Example> examples, Random shuffle, int batchSize, Backbone backbone, NetworkDims dims,
                   Teacher teacher) {
        this.examples = examples;
        this.shuffle = shuffle;
        this.batchSize = batchSize;
        this.backbone = backbone;
        this.dims = dims;
        this.teacher = teacher;
        this.teacherStore = teacher == null ? null : new ParameterStore(teacher.model().getNDManager(), false);
        // the permutation carries over from pass to pass: each epoch shuffles the previous epoch's order
        order = new int[examples.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
    }

    int size() {
        return order.length;
    }

    @Override
    public Iterable<Batch> getData(NDManager manager) {
        return () -> {
            shuffleInPlace(order, shuffle);
            return new Iterator<>() {
                private int start;

                @Override
                public boolean hasNext() {
                    return start < order.length;
                }

                @Override
                public Batch next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    int end = Math.min(order.length, start + batchSize);
                    Batch b = batch(manager, start, end);
                    start = end;
                    return b;
                }
            };
        };
    }

    private Batch batch(NDManager parent, int start, int end) {
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
        NDManager manager = parent.newSubManager();
        try {
            NDList inputs = backbone.inputs(manager, dims, contexts, mentioned);
            NDArray target = manager.create(labels).reshape(size, 1);
            NDList batchLabels = new NDList(target);
            if (teacher != null) {
                batchLabels.add(teacher.model().getBlock().forward(teacherStore, inputs, false).head()
                        .div((float) teacher.temperature()).logSoftmax(1).stopGradient());
            }
            return new Batch(manager, inputs, batchLabels, size, Batchifier.STACK, Batchifier.STACK, start, order.length);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static void shuffleInPlace(int[] a, Random rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    @Override
    public void prepare(Progress progress) {
        // everything is in memory already
    }
}
