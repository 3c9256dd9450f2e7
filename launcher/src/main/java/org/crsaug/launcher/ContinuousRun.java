package org.crsaug.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.crsaug.data.ingest.DirectoryWatchService;
import org.crsaug.evaluator.EvaluatorService;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.kafka.PlatformAddress;
import org.crsaug.platform.kafka.StateDirLock;
import org.crsaug.platform.service.Service;
import org.crsaug.platform.topic.Topics;
import org.crsaug.retriever.RetrieverService;
import org.crsaug.scorer.ScorerService;
import org.crsaug.serve.LlmReplyWriter;
import org.crsaug.serve.RecommendationEngine;
import org.crsaug.serve.DialogueIntakeRoutes;
import org.crsaug.serve.RecommendationServer;
import org.crsaug.serve.ServeSettings;
import org.crsaug.trainer.TrainerService;

/**
 * What {@code crs up} keeps running: the platform (embedded or a cluster), the four services and the
 * recommendation server, in one process. Nothing is re-done on a restart: the services resume from their
 * consumer groups and caches, and re-ingesting a dataset publishes only new or changed records. While it
 * runs, {@code <state.dir>/platform.json} tells other commands on the same state directory where to attach.
 * Public for tests of other modules that need a running {@code crs up} (the stream benchmark's).
 */
public final class ContinuousRun implements AutoCloseable {

    private static final String READY_TIMEOUT_KEY = "up.ready.timeout.ms";

    /** A directory {@code crs up --watch} ingests dropped files from, and the dataset they belong to. */
    record Watch(Path dir, String dataset) {
    }

    private final Platform platform;
    private final List<Service> services = new ArrayList<>();
    private final RecommendationEngine engine;
    private final List<DirectoryWatchService> watchers = new ArrayList<>();
    private DialogueIntakeRoutes intake;
    private RecommendationServer server;
    private PlatformAddress address;
    private String lastConditions = "";

    private ContinuousRun(Platform platform) {
        this.platform = platform;
        this.engine = new RecommendationEngine(platform, ServeSettings.fromConfig(platform.config()),
                LlmReplyWriter.fromConfig(platform.config(), System.getenv()));
    }

    /**
     * Starts everything, publishes {@code datasets} (unchanged records are skipped), waits until every part
     * is ready, writes the address file and prints the ready block; on any failure stops what it started.
     */
    public static ContinuousRun start(CrsConfig config, List<String> datasets, PrintStream out, boolean interactive)
            throws InterruptedException {
        return start(config, datasets, out, interactive, () -> false);
    }

    /**
     * @param stopRequested polled while waiting for the parts to be ready: a Ctrl-C during start-up ends the
     *     wait with a {@link CancellationException} (after stopping what was started) instead of after it
     */
    static ContinuousRun start(CrsConfig config, List<String> datasets, PrintStream out, boolean interactive,
            BooleanSupplier stopRequested) throws InterruptedException {
        return start(config, datasets, List.of(), out, interactive, stopRequested);
    }

    /**
     * @param watches directories whose dropped files are ingested once each (by content, across restarts), as
     *     {@code crs ingest --watch} does; watching starts once the services run, so the first files are
     *     resolved against the catalogue the datasets just published
     */
    static ContinuousRun start(CrsConfig config, List<String> datasets, List<Watch> watches, PrintStream out,
            boolean interactive, BooleanSupplier stopRequested) throws InterruptedException {
        long started = System.nanoTime();
        Platform platform = Platform.startExclusive(config);
        ContinuousRun run = null;
        try {
            platform.ensureTopics();
            run = new ContinuousRun(platform);
            for (String dataset : datasets) {
                new PipelineRun(platform, out, interactive).ingest(dataset);
            }
            run.startParts(watches, out);
            run.awaitReady(out, stopRequested);
            run.publishAddress();
            run.printReady(out, (System.nanoTime() - started) / 1e9, datasets.isEmpty());
            return run;
        } catch (RuntimeException | InterruptedException e) {
            if (run != null) {
                run.close();
            } else {
                platform.close();
            }
            throw e;
        }
    }

    private void startParts(List<Watch> watches, PrintStream out) {
        services.add(new RetrieverService(platform));
        services.add(ScorerService.create(platform));
        services.add(new TrainerService(platform));
        services.add(new EvaluatorService(platform));
        services.add(engine);
        services.forEach(Service::start);
        intake = DialogueIntakeRoutes.create(platform);
        server = RecommendationServer.start(engine, intake);
        for (Watch w : watches) {
            // a part like the services: checkHealth sees it fail (fenced by another watcher of the directory),
            // and close stops it first, so its scan in progress commits or aborts before the platform goes
            DirectoryWatchService watcher = new DirectoryWatchService(platform, w.dir(), w.dataset(),
                    new WatchLog(out, out, "watch: "));
            watchers.add(watcher);
            services.add(watcher);
            watcher.start();
        }
    }

    private void awaitReady(PrintStream out, BooleanSupplier stopRequested) throws InterruptedException {
        Duration timeout = Duration.ofMillis(platform.config().getLong(READY_TIMEOUT_KEY));
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Service s : services) {
            long since = System.nanoTime();
            boolean told = false;
            while (!s.isReady()) {
                // a slow part is named, so a wait (e.g. a consumer group settling) is not a silent hang
                if (!told && System.nanoTime() - since > Duration.ofSeconds(5).toNanos()) {
                    out.println("  waiting for the " + s.name() + " service to be ready...");
                    told = true;
                }
                checkHealth();
                if (stopRequested.getAsBoolean()) {
                    throw new CancellationException("stopped before the " + s.name() + " service was ready");
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The " + s.name() + " service was not ready within "
                            + timeout.toSeconds() + " s; see the log file (a busy machine may need longer: --set "
                            + READY_TIMEOUT_KEY + "=N)");
                }
                Thread.sleep(50);
            }
        }
    }

    private void publishAddress() {
        Map<String, String> http = new LinkedHashMap<>();
        http.put("recommendations", server.url());
        address = new PlatformAddress(platform.bootstrapServers(), platform.registryUrl(), http,
                Topics.all().stream().map(platform.config()::topic).toList(), ProcessHandle.current().pid());
        // only an embedded platform is attached to through the state directory; on a cluster every command
        // names the cluster itself
        if (ownsStateDir()) {
            address.write(stateDir());
        }
    }

    private boolean ownsStateDir() {
        return StateDirLock.heldHere(stateDir());
    }

    private void printReady(PrintStream out, double seconds, boolean nothingIngested) {
        out.printf(Locale.ROOT, "crs up: ready in %.1f s%n", seconds);
        out.println("  kafka            " + platform.bootstrapServers() + "   (--bootstrap-servers)");
        out.println("  schema registry  " + platform.registryUrl() + "   (--schema-registry-url)");
        out.println("  recommendations  " + server.url() + "   (chat page, POST /api/recommend,"
                + " POST /api/dialogues, GET /api/dialogues/<id>)");
        out.println("  dashboard        " + server.url() + "dashboard");
        for (DirectoryWatchService w : watchers) {
            out.println("  watching         " + w.directory() + "   (files dropped here are ingested once each,"
                    + " by content, also across restarts)");
        }
        if (ownsStateDir()) {
            out.println("  addresses in     " + PlatformAddress.file(stateDir()).toAbsolutePath()
                    + "   (other crs commands with this --state-dir attach to this platform)");
        }
        if (nothingIngested) {
            out.println("  no --dataset named: nothing ingested now (add --dataset inspired, or crs ingest)");
        }
        out.println("Services run until Ctrl-C; crs status shows their progress.");
    }

    /** Throws if a part failed; called while waiting, so a failure ends the run instead of hanging it. */
    void checkHealth() {
        PipelineRun.checkHealth(services);
    }

    /**
     * Prints each service's passing condition when it begins, changes or ends ("crs up: scorer: paused: ..."),
     * so an LLM outage is on the terminal, not only in the log file.
     */
    void reportConditions(PrintStream out) {
        String now = PipelineRun.conditions(services);
        if (!now.equals(lastConditions)) {
            out.println("crs up: " + (now.isEmpty() ? "all services working again" : now));
            lastConditions = now;
        }
    }

    PlatformAddress address() {
        return address;
    }

    public Platform platform() {
        return platform;
    }

    private Path stateDir() {
        return platform.config().getPath("state.dir");
    }

    /**
     * Stops in the order that loses nothing: the address file first (no new guest attaches to a platform
     * going away), then the HTTP server, the services last-started first (each stream commits or aborts
     * its transaction as it closes), and the platform last.
     */
    @Override
    public void close() {
        try {
            if (address != null && ownsStateDir()) {
                PlatformAddress.delete(stateDir());
            }
            if (server != null) {
                server.close();
            }
            if (intake != null) {
                intake.close();
            }
            for (int i = services.size() - 1; i >= 0; i--) {
                services.get(i).stop();
            }
        } finally {
            platform.close();
        }
    }
}
