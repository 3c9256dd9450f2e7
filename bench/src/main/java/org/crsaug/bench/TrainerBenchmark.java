package org.crsaug.bench;

import org.crsaug.model.training.TrainingRound;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.model.recommender.Example;
import org.crsaug.model.recommender.RecommenderTrainer;
import org.crsaug.model.recommender.TrainedRecommender;
import org.crsaug.model.recommender.TrainerSettings;
import org.crsaug.model.recommender.TrainingData;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.data.state.PipelineState;
import org.crsaug.schema.Checkpoint;

/**
 * Numbers for the trainer: training throughput per backbone, peak memory, and the wall time of a full
 * round (snapshot, every mode, artifacts) on the data already in the pipeline. Prints medians; asserts
 * nothing. Validation metrics of each round are printed too, which makes this the tool for comparing
 * trainer settings without ever touching the test split.
 */
public final class TrainerBenchmark {

    private final CrsConfig config;
    private final PrintStream out;

    public TrainerBenchmark(CrsConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /**
     * Median samples/s of {@code runs} timed one-epoch trainings over {@code samples} real-label examples
     * (cycled when the dataset has fewer), without validation so only the training step is timed.
     */
    public double throughput(TrainingRound.Snapshot snapshot, String backbone, int batchSize, int samples, int runs) {
        List<Example> real = snapshot.data().real();
        if (real.isEmpty()) {
            throw new IllegalStateException("No real-label examples for " + snapshot.dataset());
        }
        List<Example> cycled = new ArrayList<>(samples);
        for (int i = 0; i < samples; i++) {
            cycled.add(real.get(i % real.size()));
        }
        TrainingData data = new TrainingData(snapshot.data().numItems(), snapshot.data().itemVectors(), cycled,
                List.of(), List.of());
        return throughput(data, backbone, batchSize, runs);
    }

    /**
     * Median samples/s of {@code runs} timed one-epoch trainings (baseline mode, no validation) over every real
     * example of {@code data}, after one untimed run.
     */
    public double throughput(TrainingData data, String backbone, int batchSize, int runs) {
        int samples = data.real().size();
        TrainerSettings s = TrainerSettings.fromConfig(config.with("trainer.backbone", backbone)
                .with("trainer.batch.size", Integer.toString(batchSize))
                .with("trainer.finetune.epochs", "1"), TrainingMode.BASELINE);
        RecommenderTrainer trainer = new RecommenderTrainer();
        try (TrainedRecommender warmUp = trainer.train(data, s)) {
            // the first run pays for engine start-up and allocator growth
        }
        double[] rates = new double[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            try (TrainedRecommender m = trainer.train(data, s)) {
                rates[r] = samples / ((System.nanoTime() - t0) / 1e9);
            }
        }
        Arrays.sort(rates);
        return rates[runs / 2];
    }

    /** Trains every mode on one snapshot into a scratch artifact store; prints wall time and validation metrics. */
    public double fullRound(PipelineState state, String dataset, List<TrainingMode> modes) throws IOException {
        Path scratch = Files.createTempDirectory("crs-bench-artifacts");
        try {
            long t0 = System.nanoTime();
            TrainingRound round = new TrainingRound(config, new ArtifactStore(scratch));
            TrainingRound.Snapshot snapshot = round.snapshot(state, dataset, config.getLong("trainer.seed"));
            double snapshotSeconds = (System.nanoTime() - t0) / 1e9;
            for (TrainingMode mode : modes) {
                Checkpoint cp = round.train(snapshot, mode, 0);
                Map<String, Double> m = cp.getMetrics();
                out.printf(Locale.ROOT, "  %-10s %-9s validation R@1 %5.2f  R@10 %5.2f  R@50 %5.2f   (%.1f s)%n",
                        mode.label(), cp.getBackbone(), 100 * m.getOrDefault("validation_recall@1", 0.0),
                        100 * m.getOrDefault("validation_recall@10", 0.0),
                        100 * m.getOrDefault("validation_recall@50", 0.0), m.getOrDefault("train_seconds", 0.0));
            }
            double total = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "  round wall time %.1f s (snapshot %.1f s)%n", total, snapshotSeconds);
            return total;
        } finally {
            try (var s = Files.walk(scratch)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Peak resident set of this process in MiB (includes PyTorch's native memory), or -1 where unknown. */
    public static long peakRssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
