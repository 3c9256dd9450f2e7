package org.crsaug.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.launcher.ConfigOptions;
import org.crsaug.bench.RetrieverBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "retriever", mixinStandardHelpOptions = true,
        description = "Candidate quality on held-out gold per source, encoder throughput, search latency, cold vs warm time.",
        footer = {"", "Examples:", "  crs bench retriever --dataset inspired",
                "  crs bench retriever --dataset redial --every 4 --no-variants --set retriever.encoder=bge-small-en-v1.5"})
public final class RetrieverBenchCommand implements Callable<Integer> {

    @Option(names = "--dataset", split = ",", defaultValue = "inspired,redial",
            description = "Datasets to measure, comma-separated (default ${DEFAULT-VALUE}).")
    List<String> datasets;

    @Option(names = "--every", defaultValue = "1",
            description = "Use every n-th dialogue of each split for quality and timing (default ${DEFAULT-VALUE} = all).")
    int every;

    @Option(names = "--no-variants", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also measure plain/enriched text and centring for the semantic source (default on).")
    boolean variants;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        if (every < 1) {
            throw new IllegalArgumentException("--every must be at least 1, got " + every);
        }
        CrsConfig config = options.load(Map.of());
        new RetrieverBenchmark(config, System.out).run(datasets, every, variants);
        return 0;
    }
}
