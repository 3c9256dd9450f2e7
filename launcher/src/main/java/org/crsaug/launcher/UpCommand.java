package org.crsaug.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.crsaug.data.dataset.DataDirectory;
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
                "", "Local ports: Kafka 19092 (up.kafka.port), schema registry 18081 (up.registry.port), HTTP 8080",
                "(serve.port); the addresses are also written to <state-dir>/platform.json while it runs."})
final class UpCommand implements Callable<Integer> {

    @Option(names = "--dataset", paramLabel = "D", description = "Ingest this dataset first (redial or inspired; repeatable).")
    List<String> datasets = new ArrayList<>();

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
        // fail on a wrong dataset or data directory before starting anything
        for (String dataset : datasets) {
            DataDirectory.datasetDir(config, dataset);
        }
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
            try (ContinuousRun run = ContinuousRun.start(config, datasets, System.out, System.console() != null,
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
}
