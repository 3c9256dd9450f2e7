package org.crsaug.platform.service;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every service's {@code main} does: read configuration, connect (or start the embedded
 * platform), run the service until the process is told to stop or the service fails.
 */
public final class ServiceRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceRunner.class);

    private ServiceRunner() {
    }

    /** Parses {@code --config FILE} and {@code --set key=value} (repeatable). */
    public static CrsConfig parseArgs(String[] args) {
        Path file = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--config") || a.equals("--set")) && i + 1 >= args.length) {
                throw new ConfigException(a + " needs a value");
            }
            if (a.equals("--config")) {
                file = Path.of(args[++i]);
            } else if (a.equals("--set")) {
                String kv = args[++i];
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigException("--set expects key=value, got '" + kv + "'");
                }
                overrides.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            } else {
                throw new ConfigException("Unknown argument '" + a + "'; use --config FILE and --set key=value");
            }
        }
        return CrsConfig.load(file, System.getenv(), overrides);
    }

    /** Runs until SIGTERM/Ctrl-C (exit 0) or until the service fails (exit 1). */
    public static int runUntilStopped(CrsConfig config, Function<Platform, Service> factory)
            throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        try (Platform platform = Platform.start(config)) {
            platform.ensureTopics();
            Service service = factory.apply(platform);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                service.stop();
                stopped.countDown();
            }, service.name() + "-shutdown"));
            service.start();
            LOG.info("{} started against {}", service.name(), platform.bootstrapServers());
            try (org.crsaug.platform.metrics.MetricsServer metrics = org.crsaug.platform.metrics.MetricsServer
                    .startIfConfigured(config, () -> service.failure() == null, service::isReady)) {
                if (metrics != null) {
                    LOG.info("{} exposes /metrics and /health on port {}", service.name(), metrics.port());
                }
                while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
                    Throwable failure = service.failure();
                    if (failure != null) {
                        LOG.error("{} failed", service.name(), failure);
                        System.err.println(service.name() + " failed: " + failure.getMessage());
                        service.stop();
                        return 1;
                    }
                }
            }
            return 0;
        }
    }
}
