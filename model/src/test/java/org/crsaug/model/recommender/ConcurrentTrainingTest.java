package org.crsaug.model.recommender;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two trainings started at once in one JVM, as the trainer's round and the evaluator's CS@k model do in
 * {@code crs run}: DJL allows one open gradient collector per process, so without {@link DjlRuntime#trainingLock()}
 * one of them fails ("A PtGradientCollector is already collecting"). All must finish, each with exactly the model it
 * gives when trained alone, which also needs every training to be reproducible within the JVM: the sequential
 * backbone was not while constants were multiplied in with DJL's {@code mul(Number)} (see {@code Params#times}).
 */
class ConcurrentTrainingTest {

    private static TrainingData data(long seed) {
        Random rng = new Random(seed);
        List<Example> real = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            float[] c = new float[6];
            for (int d = 0; d < c.length; d++) {
                c[d] = (float) rng.nextGaussian();
            }
            int m = rng.nextInt(20);
            real.add(new Example(c, (m + 1) % 20, new int[] {m}));
        }
        return new TrainingData(20, null, real, List.of(), List.of());
    }

    private static float[][] train(String backbone) {
        return train(backbone, TrainingMode.BASELINE);
    }

    /** Two-stage pre-trains on augmented labels and fine-tunes with the KL term to its own frozen teacher. */
    private static float[][] train(String backbone, TrainingMode mode) {
        boolean twoStage = mode == TrainingMode.TWO_STAGE;
        TrainerSettings s = new TrainerSettings(16, 0.01, 16, twoStage ? 2 : 0, 4, twoStage ? 0.5 : 0.0, 1.0, 0, 5L,
                mode, backbone);
        TrainingData d = data(9);
        if (twoStage) {
            d = new TrainingData(d.numItems(), null, d.real(), data(10).real(), List.of());
        }
        try (TrainedRecommender r = new RecommenderTrainer().train(d, s)) {
            return r.score(new float[][] {new float[6], new float[6]}, new int[][] {{3}, {7, 8}});
        }
    }

    @Test
    void threeTrainingsAtOnceAllFinishWithTheModelsTheyGiveAlone() throws Exception {
        float[][] sequentialAlone = train(SequentialBackbone.NAME);
        float[][] hybridAlone = train(HybridBackbone.NAME);
        float[][] twoStageAlone = train(SemanticBackbone.NAME, TrainingMode.TWO_STAGE);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            // one after another behind the lock, in whatever order the threads reach it
            Future<float[][]> sequential = pool.submit(() -> train(SequentialBackbone.NAME));
            Future<float[][]> hybrid = pool.submit(() -> train(HybridBackbone.NAME));
            Future<float[][]> twoStage = pool.submit(() -> train(SemanticBackbone.NAME, TrainingMode.TWO_STAGE));
            assertThat(sequential.get(5, TimeUnit.MINUTES)).isDeepEqualTo(sequentialAlone);
            assertThat(hybrid.get(5, TimeUnit.MINUTES)).isDeepEqualTo(hybridAlone);
            assertThat(twoStage.get(5, TimeUnit.MINUTES)).isDeepEqualTo(twoStageAlone);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anInterruptedTrainingEndsAtItsNextBatchAndReleasesTheLock() throws Exception {
        // far more epochs than the test would ever wait for: only the interrupt can end it in time
        TrainerSettings endless = new TrainerSettings(16, 0.01, 16, 0, 1_000_000, 0.0, 1.0, 0, 5L,
                TrainingMode.BASELINE, HybridBackbone.NAME);
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean flagAfter = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread training = new Thread(() -> {
            try (TrainedRecommender r = new RecommenderTrainer().train(data(9), endless)) {
                failure.set(new AssertionError("the endless training finished"));
            } catch (Throwable e) {
                failure.set(e);
                flagAfter.set(Thread.currentThread().isInterrupted());
            }
        }, "endless-training");
        training.start();
        training.interrupt();
        training.join(TimeUnit.MINUTES.toMillis(2));
        assertThat(training.isAlive()).as("still training two minutes after the interrupt").isFalse();
        assertThat(failure.get()).isInstanceOf(TrainingInterruptedException.class);
        // the exception is the news: the flag is cleared, so the caller's clients close normally
        assertThat(flagAfter.get()).isFalse();

        // the lock is free again: the next training in the process runs and gives the model it gives alone
        assertThat(train(SequentialBackbone.NAME)).isDeepEqualTo(train(SequentialBackbone.NAME));
    }

    @Test
    void trainingsUnderConstantGarbageCollectionGiveTheSameModels() throws Exception {
        float[][] sequential = train(SequentialBackbone.NAME);
        float[][] twoStage = train(SemanticBackbone.NAME, TrainingMode.TWO_STAGE);
        // a collector running all the time frees whatever native memory nothing reachable holds; a constant that
        // autograd kept but Java let go of (DJL's mul(Number)) is then read after it was freed
        java.util.concurrent.atomic.AtomicBoolean collecting = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread collector = new Thread(() -> {
            while (collecting.get()) {
                System.gc();
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            }
        }, "constant-gc");
        collector.setDaemon(true);
        collector.start();
        try {
            assertThat(train(SequentialBackbone.NAME)).isDeepEqualTo(sequential);
            assertThat(train(SemanticBackbone.NAME, TrainingMode.TWO_STAGE)).isDeepEqualTo(twoStage);
        } finally {
            collecting.set(false);
            collector.join();
        }
    }
}
