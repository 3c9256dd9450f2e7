package org.crsaug.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.launcher.ConfigOptions;
import org.crsaug.launcher.Logging;
import org.crsaug.model.encoder.OnnxEncoder;
import org.crsaug.model.encoder.TextEncoder;
import org.crsaug.model.encoder.TextEncoders;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.retriever.RetrieverSettings;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code crs bench all}: every stage against its peer or its physical limit, in one run, printed as ratios
 * ({@link EncoderPeer}, {@link SearchPeer}, {@link TorchPeer}, {@link PipelineStages}), then every ratio
 * again in one block with the target it is held to.
 */
@Command(name = "all", mixinStandardHelpOptions = true,
        description = "Each stage against its peer or its limit, side by side: the encoder vs a bare ONNX Runtime"
                + " session, the search vs a measured multiply-add peak, the trainer vs the same network in PyTorch,"
                + " and a cold crs run broken down by stage. Prints every ratio at the end.",
        footer = {"", "Examples:", "  crs bench all",
                "  crs bench all --parts encoder,search --texts 256",
                "  crs bench all --dataset inspired --python /usr/bin/python3"})
final class AllBenchCommand implements Callable<Integer> {

    static final List<String> PARTS = List.of("encoder", "search", "trainer", "pipeline");
    /** Vector size of every bundled encoder: the search and the trainer run at the size the pipeline does. */
    private static final int DIM = 384;

    @Option(names = "--parts", split = ",", defaultValue = "encoder,search,trainer,pipeline",
            description = "Parts to run, comma-separated (default ${DEFAULT-VALUE}).")
    List<String> parts;

    @Option(names = "--dataset", defaultValue = "redial",
            description = "Dataset: its context texts feed the encoder, its catalogue size the search and the trainer,"
                    + " and the pipeline part runs it cold (default ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--texts", defaultValue = "512", description = "Context texts for the encoder, spread evenly over the"
            + " dataset (default ${DEFAULT-VALUE}).")
    int texts;

    @Option(names = "--queries", defaultValue = "1000", description = "Search queries per run (default ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--samples", defaultValue = "1000", description = "Training samples per timed epoch (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--batch", description = "Training batch size (default: trainer.batch.size).")
    Integer batch;

    @Option(names = "--backbone", split = ",", defaultValue = "semantic,hybrid",
            description = "Backbones for the trainer part (default ${DEFAULT-VALUE}).")
    List<String> backbones;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed runs per figure; the median is printed"
            + " (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--python", defaultValue = "/usr/bin/python3",
            description = "Interpreter with torch for the trainer's peer (default ${DEFAULT-VALUE}).")
    Path python;

    @Option(names = "--timeout-minutes", defaultValue = "60", description = "Give the pipeline run up after this long"
            + " (default ${DEFAULT-VALUE}).")
    int timeoutMinutes;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        for (String p : parts) {
            if (!PARTS.contains(p)) {
                throw new ConfigException("Unknown part '" + p + "' in --parts; choose from " + PARTS);
            }
        }
        if (texts < 1 || queries < 1 || samples < 1 || repeats < 1 || (batch != null && batch < 1)) {
            throw new ConfigException("--texts, --queries, --samples, --repeats and --batch must be at least 1");
        }
        // the pipeline part runs as crs run does (rounds only when asked, every mode from the same seeded weights,
        // stream commits of a batch job)
        CrsConfig config = options.load(org.crsaug.launcher.BatchJobSettings.run(dataset));
        Logging.toFile(config);
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "crs bench all: dataset %s, %d cores, load average %.2f at the start%n", dataset,
                cores, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        RetrieverBenchmark.Data data = new RetrieverBenchmark(config, System.out).read(dataset);
        List<String> summary = new ArrayList<>();

        if (parts.contains("encoder")) {
            System.out.println();
            encoder(config, data, summary);
        }
        if (parts.contains("search")) {
            System.out.println();
            SearchPeer.Result s = new SearchPeer(System.out, repeats).run(data.items().size(), DIM, queries,
                    config.getInt("retriever.top.k"));
            summary.add(String.format(Locale.ROOT, "search one at a time  %.2fx the limit (%.4f / %.4f ms/query)",
                    s.singleRatio(), s.singleMs(), s.limitMs()));
            summary.add(String.format(Locale.ROOT, "search batched        %.2fx the limit (%.4f / %.4f ms/query, 1 thread)",
                    s.batchedRatio(), s.batchedMs(), s.limitMs()));
            summary.add(String.format(Locale.ROOT, "search batched, %d threads %.2fx the all-core limit (%.4f / %.4f"
                    + " ms/query; target <= 2x: %s, <= %.2f ms: %s)", s.cores(), s.batchedAllCoresRatio(),
                    s.batchedAllCoresMs(), s.allCoresLimitMs(), s.batchedAllCoresRatio() <= 2 ? "met" : "not met",
                    SearchPeer.TARGET_MS, s.batchedAllCoresMs() <= SearchPeer.TARGET_MS ? "met" : "not met"));
        }
        if (parts.contains("trainer")) {
            System.out.println();
            int b = batch != null ? batch : config.getInt("trainer.batch.size");
            for (TorchPeer.Result r : new TorchPeer(config, python, System.out).run(backbones, data.items().size(), DIM,
                    b, samples, repeats)) {
                summary.add(Double.isNaN(r.torchPerSecond())
                        ? String.format(Locale.ROOT, "trainer %-9s     no ratio: PyTorch skipped (see above)", r.backbone())
                        : String.format(Locale.ROOT, "trainer %-9s     java/pytorch %.2fx (target >= 1.0: %s)",
                                r.backbone(), r.ratio(), r.ratio() >= 1.0 ? "met" : "not met"));
            }
        }
        if (parts.contains("pipeline")) {
            System.out.println();
            PipelineStages.Result p = new PipelineStages(System.out).run(config, dataset,
                    Duration.ofMinutes(timeoutMinutes));
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "pipeline (cold, %.1f s):", p.wallSeconds()));
            p.seconds().keySet().forEach(stage -> sb.append(String.format(Locale.ROOT, " %s %.1f%%", stage,
                    100 * p.share(stage))));
            summary.add(sb.toString());
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        summary.add(parts.containsAll(PARTS)
                ? String.format(Locale.ROOT, "whole command         %.1f min (target < 15 min: %s)", minutes,
                        minutes < 15 ? "met" : "not met")
                : String.format(Locale.ROOT, "whole command         %.1f min (only %s)", minutes, String.join(",", parts)));
        System.out.println();
        System.out.println("ratios:");
        summary.forEach(line -> System.out.println("  " + line));
        System.out.printf(Locale.ROOT, "load average at the end %.2f%n",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return 0;
    }

    private void encoder(CrsConfig config, RetrieverBenchmark.Data data, List<String> summary) {
        try (TextEncoder configured = TextEncoders.create(config, config.modelCache())) {
            if (!(configured instanceof OnnxEncoder onnx)) {
                System.out.println("encoder part skipped: " + configured.id() + " is not a bundled ONNX encoder");
                summary.add("encoder               no ratio: " + configured.id() + " has no bare ONNX peer");
                return;
            }
            List<EncoderPeer.Bin> bins = new EncoderPeer(onnx, Runtime.getRuntime().availableProcessors(), repeats,
                    System.out).run(contextTexts(config, data), config.modelCache());
            for (EncoderPeer.Bin b : bins) {
                summary.add(String.format(Locale.ROOT, "encoder %-7s tokens pipeline/bare %.2fx (target >= 0.95: %s)",
                        b.label(), b.ratio(), b.ratio() >= 0.95 ? "met" : "not met"));
            }
        }
    }

    /** The encoder's inputs as the retriever makes them, {@link #texts} of them spread evenly over the dataset. */
    private List<String> contextTexts(CrsConfig config, RetrieverBenchmark.Data data) {
        RetrieverSettings s = RetrieverSettings.fromConfig(config);
        Map<String, Item> items = new HashMap<>();
        data.items().forEach(i -> items.put(i.getItemId(), i));
        List<String> all = new ArrayList<>();
        for (Dialogue d : data.dialogues()) {
            for (DialogueContext c : DialogueContexts.derive(d)) {
                all.add(s.encoderText().of(c, items));
            }
        }
        if (all.isEmpty()) {
            throw new IllegalStateException("No dialogue contexts in " + dataset + "; nothing to encode");
        }
        List<String> out = new ArrayList<>();
        double step = Math.max(1.0, all.size() / (double) texts);
        for (double i = 0; i < all.size() && out.size() < texts; i += step) {
            out.add(all.get((int) i));
        }
        return out;
    }
}
