package org.crsaug.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.crsaug.data.dataset.DataDirectory;
import org.crsaug.data.dataset.Datasets;
import org.crsaug.data.ingest.DialogueIntake;
import org.crsaug.data.ingest.DirectoryWatcher;
import org.crsaug.platform.config.CrsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Keep the platform, the four services and the recommendation server running until Ctrl-C;"
                + " other crs commands on the same state directory attach to it.",
        footer = {"", "Examples:",
                "  crs up --dataset inspired          ingest (new or changed records only), then keep processing",
                "  crs up                             resume on .crs: nothing is re-encoded, re-judged or retrained",
                "  crs ingest --dataset inspired --file d.json     in another terminal: attaches to crs up",
                "  crs service scorer                 in another terminal: one more scorer replica",
                "  crs up --dataset inspired --watch incoming/",
                "      also ingest every file dropped into incoming/, once each",
                "", "--watch takes each file once by content (SHA-256, recorded with its",
                "dialogues in one transaction), also across restarts and kills, like",
                "crs ingest --watch. Its files are dialogues of --watch-dataset, by default",
                "the one --dataset named. Write a file under a .tmp name and rename it in,",
                "or it is taken once unchanged for ingest.watch.settle.ms (docs/data.md).",
                "", "Local ports: Kafka 19092 (up.kafka.port), schema registry 18081 (up.registry.port), HTTP 8080",
                "(serve.port); the addresses are also written to <state-dir>/platform.json while it runs."})
final class UpCommand implements Callable<Integer> {

    @Option(names = "--dataset", paramLabel = "D", description = "Ingest this dataset first (redial or inspired; repeatable).")
    List<String> datasets = new ArrayList<>();

    @Option(names = "--watch", paramLabel = "DIR",
            description = "Ingest every file dropped into DIR, once each, while up runs (repeatable).")
    List<Path> watch = new ArrayList<>();

    @Option(names = "--watch-dataset", paramLabel = "D",
            description = "Dataset of the watched files (redial or inspired; default: the one --dataset named).")
    String watchDataset;

    @Option(names = "--port", description = "HTTP port of the recommendation server (default: serve.port = 8080; 0 = any free port).")
    Integer port;

    @Option(names = "--kafka-port", description = "Port of the embedded Kafka broker (default: up.kafka.port = 19092; 0 = any free port).")
    Integer kafkaPort;

    @Option(names = "--registry-port", description = "Port of the embedded schema registry (default: up.registry.port = 18081; 0 = any free port).")
    Integer registryPort;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> flags = new LinkedHashMap<>();
        ConfigOptions.putIfSet(flags, "up.kafka.port", kafkaPort);
        ConfigOptions.putIfSet(flags, "up.registry.port", registryPort);
        ConfigOptions.putIfSet(flags, "serve.port", port);
        // fixed ports, unlike the one-shot commands' any free port, so that other terminals and tools find them;
        // as a command default, so that --set embedded.kafka.port (named by the busy-port error) still wins
        CrsConfig ports = options.load(flags);
        flags.put("embedded.kafka.port", ports.get("up.kafka.port"));
        flags.put("embedded.registry.port", ports.get("up.registry.port"));
        CrsConfig config = options.load(flags);
        SettingsCheck.before(config, java.util.EnumSet.allOf(SettingsCheck.Part.class));
        // fail on a wrong dataset or data directory before starting anything
        for (String dataset : datasets) {
            DataDirectory.datasetDir(config, dataset);
        }
        List<ContinuousRun.Watch> watches = watches();
        Logging.toFile(config);
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        // the JVM exits once its hooks return, so the hook waits for the clean shutdown below
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            try {
                stopped.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "up-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            try (ContinuousRun run = ContinuousRun.start(config, datasets, watches, System.out, System.console() != null,
                    () -> stopRequested.getCount() == 0)) {
                while (!stopRequested.await(1, TimeUnit.SECONDS)) {
                    run.checkHealth();
                    run.reportConditions(System.out);
                }
                System.out.println("crs up: stopping (streams commit or abort their transactions)");
            } catch (CancellationException e) {
                System.out.println("crs up: " + e.getMessage() + "; stopped what had started");
                return 0;
            }
            System.out.println("crs up: stopped cleanly");
            return 0;
        } finally {
            // last: once the hook returns, the JVM halts
            stopped.countDown();
        }
    }

    /** The watched directories with their dataset; a missing directory or dataset fails before anything starts. */
    private List<ContinuousRun.Watch> watches() {
        if (watch.isEmpty()) {
            return List.of();
        }
        String dataset = watchDataset;
        if (dataset == null) {
            if (datasets.size() != 1) {
                throw new org.crsaug.platform.config.ConfigException("--watch needs the dataset of the files dropped in: add"
                        + " --watch-dataset redial or --watch-dataset inspired" + (datasets.isEmpty() ? ""
                        : " (--dataset names " + datasets.size() + ")"));
            }
            dataset = datasets.get(0);
        }
        if (!Datasets.NAMES.contains(DialogueIntake.canonical(dataset))) {
            throw new org.crsaug.platform.config.ConfigException("Unknown --watch-dataset '" + dataset + "'; expected one of "
                    + String.join(", ", Datasets.NAMES));
        }
        List<ContinuousRun.Watch> out = new ArrayList<>();
        for (Path dir : watch) {
            DirectoryWatcher.requireDirectory(dir);
            out.add(new ContinuousRun.Watch(dir, dataset));
        }
        return out;
    }
}
