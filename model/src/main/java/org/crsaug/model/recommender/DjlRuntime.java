package org.crsaug.model.recommender;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The one place that touches the PyTorch engine globally.
 *
 * <p>Reproducibility: PyTorch splits CPU kernels (matrix products, reductions) across its intra-op
 * threads, and the split changes the order in which floats are added. Unless the JVM was started with an
 * explicit {@code -Dai.djl.pytorch.num_threads=N}, this class pins intra-op and inter-op threads to 1 before
 * the engine loads (and pins intra-op again afterwards, in case something else loaded the engine first), so
 * two trainings with the same data and seed give bit-identical scores on CPU. Passing the property trades
 * that guarantee for speed. On a GPU, cuBLAS/cuDNN may still reorder sums, so GPU runs are reproducible
 * only approximately.
 */
public final class DjlRuntime {

    public static final String ENGINE = "PyTorch";
    static final String NUM_THREADS = "ai.djl.pytorch.num_threads";
    static final String NUM_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";

    private static Engine engine;
    private static final Object TRAINING = new Object();

    private DjlRuntime() {
    }

    public static synchronized Engine engine() {
        if (engine == null) {
            boolean chosenByUser = System.getProperty(NUM_THREADS) != null;
            if (!chosenByUser) {
                System.setProperty(NUM_THREADS, "1");
                if (System.getProperty(NUM_INTEROP_THREADS) == null) {
                    System.setProperty(NUM_INTEROP_THREADS, "1");
                }
            }
            Engine e = Engine.getEngine(ENGINE);
            if (!chosenByUser) {
                JniUtils.setNumThreads(1);
            }
            engine = e;
        }
        return engine;
    }

    /**
     * Held by every training in this JVM. PyTorch's gradient recording is process-wide in DJL (a second
     * {@code GradientCollector} while one is open fails with "A PtGradientCollector is already collecting"), and
     * one process can train several models at once: the trainer's round beside the evaluator's CS@k model in
     * {@code crs run} and {@code crs up}, or the student judge's retraining.
     */
    public static Object trainingLock() {
        return TRAINING;
    }

    /** The first GPU when PyTorch sees one, the CPU otherwise. */
    public static Device device() {
        return engine().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }
}
