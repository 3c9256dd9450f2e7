package org.crsaug.bench;

import org.crsaug.launcher.ConfigOptions;
import org.crsaug.launcher.Logging;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.data.state.PipelineState;
import org.crsaug.bench.TrainerBenchmark;
import org.crsaug.model.training.TrainingRound;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = {"Training throughput per backbone, peak memory and full-round wall time, on the data a previous",
                "`crs run` left in the state directory. Also prints each round's validation recall (never test)."},
        footer = {"", "Examples:", "  crs bench trainer", "  crs bench trainer --dataset inspired --dataset redial",
                "  crs bench trainer --no-throughput --backbone semantic --set trainer.alpha=0"})
final class TrainerBenchCommand implements Callable<Integer> {

    @Option(names = "--dataset", description = "Dataset(s) to use (default: inspired).")
    List<String> datasets = new ArrayList<>(List.of("inspired"));

    @Option(names = "--backbone", split = ",", description = "Backbones (default: semantic,hybrid).")
    List<String> backbones = new ArrayList<>(List.of("semantic", "hybrid"));

    @Option(names = "--modes", split = ",", description = "Modes of the timed round (default: baseline,two-stage).")
    List<String> modes = new ArrayList<>(List.of("baseline", "two-stage"));

    @Option(names = "--batch", defaultValue = "64", description = "Batch size for throughput (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--samples", defaultValue = "6400", description = "Samples per timed epoch (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--no-throughput", negatable = false, description = "Skip the throughput measurement.")
    boolean noThroughput;

    @Option(names = "--no-round", negatable = false, description = "Skip the full rounds.")
    boolean noRound;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        CrsConfig config = options.load(Map.of());
        Logging.toFile(config);
        List<TrainingMode> roundModes = modes.stream().map(TrainingMode::parse).toList();
        System.out.printf(Locale.ROOT, "cores=%d pytorch threads=%s (unset = 1, for reproducibility)%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("ai.djl.pytorch.num_threads", "unset"));
        try (Platform platform = Platform.start(config);
                PipelineState state = new PipelineState(platform, "crs-bench-trainer")) {
            platform.ensureTopics();
            state.catchUp(Duration.ofMinutes(5));
            for (String dataset : datasets) {
                System.out.println("dataset " + dataset);
                if (state.contexts(dataset, "train").isEmpty()) {
                    System.out.println("  skipped: no training dialogues of " + dataset + " in " + config.get("state.dir")
                            + "; run `crs run --dataset " + dataset + "` first");
                    continue;
                }
                for (String backbone : backbones) {
                    CrsConfig c = config.with("trainer.backbone", backbone);
                    TrainerBenchmark bench = new TrainerBenchmark(c, System.out);
                    if (!noThroughput) {
                        TrainingRound.Snapshot snap = new TrainingRound(c, null).snapshot(state, dataset,
                                c.getLong("trainer.seed"));
                        double rate = bench.throughput(snap, backbone, batch, samples, 3);
                        System.out.printf(Locale.ROOT, "  %-9s throughput %.0f samples/s (batch %d, %d items, median of 3)%n",
                                backbone, rate, batch, snap.catalogue().size());
                    }
                    if (!noRound) {
                        bench.fullRound(state, dataset, roundModes);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "peak memory: RSS %d MiB, JVM heap used now %d MiB%n",
                    TrainerBenchmark.peakRssMib(),
                    (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        }
        return 0;
    }
}
