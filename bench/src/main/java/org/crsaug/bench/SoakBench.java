package org.crsaug.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.crsaug.data.ingest.DialogueIntake;
import org.crsaug.launcher.Crs;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.kafka.PlatformAddress;
import org.crsaug.platform.topic.TopicLag;
import org.crsaug.testkit.ChildJvm;

/**
 * {@code crs bench soak}: a real {@code crs up} in a JVM of its own (so its heap and files are its own, not
 * the bench's), fed a steady stream of new dialogues over its HTTP API for a fixed time, sampled every
 * interval (see {@link SoakSampler}); at the end the totals (nothing lost, one labels record per context)
 * and the growth trends of heap and open files.
 */
public final class SoakBench {

    /** The settle check: the crs up JVM below this many cores, lag unchanged, this many windows in a row. */
    private static final double IDLE_CORES = 0.25;
    private static final int IDLE_WINDOWS = 4;
    private static final Duration SETTLE_WINDOW = Duration.ofSeconds(5);

    /**
     * @param files          the dialogues to post (empty: the dataset's valid split), as {@code crs bench stream}
     * @param length         how long dialogues are posted
     * @param heap           the crs up JVM's -Xmx
     * @param settleTimeout  longest wait for crs up to be ready and then idle (the dataset processed, the first
     *                       round trained) before the first post
     * @param drainTimeout   longest wait after the last post for the labels of every dialogue
     * @param stateDir       crs up's state directory
     * @param settingsFlags  --config, --data-dir and --set as given to the bench, passed on to crs up
     */
    public record Options(String dataset, List<Path> files, Duration length, double rate, Duration sample,
            String heap, Duration settleTimeout, Duration drainTimeout, Path stateDir, List<String> settingsFlags) {
    }

    private final CrsConfig config;
    private final PrintStream out;

    /** @param config the settings as crs up will read them (the same flags), its state directory included */
    public SoakBench(CrsConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /** @return 0 when every posted dialogue was acknowledged and labelled once per context, 1 otherwise */
    public int run(Options o) throws InterruptedException {
        out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, " + StreamBench.load());
        out.printf(Locale.ROOT, "crs up under test: dataset %s, judge %s, encoder %s, candidate source %s (as"
                + " configured), -Xmx%s, state directory %s%n", o.dataset(), config.get("scorer.judge"),
                config.get("retriever.encoder"), config.get("retriever.source"), o.heap(),
                o.stateDir().toAbsolutePath());
        try (ChildJvm up = startUp(o)) {
            out.println("crs up: pid " + up.pid() + ", its output in " + up.log().toAbsolutePath());
            PlatformAddress address = awaitReady(up, o);
            try (Platform platform = Platform.start(config); JvmProbe probe = JvmProbe.attach(up.pid());
                    Admin admin = Admin.create(platform.adminProps())) {
                if (!platform.attached()) {
                    throw new IllegalStateException("The bench started a platform of its own instead of attaching"
                            + " to crs up on " + o.stateDir() + "; see " + up.log());
                }
                settle(up, probe, admin, platform, o);
                int rc = soak(up, address, platform, admin, probe, o);
                stop(up);
                out.println("machine at the end: " + StreamBench.load());
                return rc;
            }
        }
    }

    private int soak(ChildJvm up, PlatformAddress address, Platform platform, Admin admin, JvmProbe probe, Options o)
            throws InterruptedException {
        // a fresh tag per soak: every dialogue id is new to the pipeline, none is skipped as unchanged
        String tag = "soak" + UUID.randomUUID().toString().substring(0, 6);
        List<Path> files = o.files().isEmpty() ? List.of(StreamDialogues.defaultFile(config, o.dataset())) : o.files();
        try (DialogueIntake parser = new DialogueIntake(platform, "crs-bench-soak-" + tag);
                StageWatch watch = new StageWatch(platform)) {
            StreamDialogues dialogues = StreamDialogues.load(parser, files, o.dataset());
            int count = (int) Math.max(1, Math.round(o.rate() * o.length().toMillis() / 1000.0));
            String url = address.http().get("recommendations");
            out.printf(Locale.ROOT, "soak: %d dialogues at %.2f/s for %s (%d templates from %s, %.1f contexts each),"
                    + " each one POST %sapi/dialogues as a new train dialogue (%s:bench-%s-...); a row every %d s;"
                    + " e2e = from sending the POST to the last of the dialogue's labels records being readable"
                    + " (read_committed)%n", count, o.rate(), clock(o.length()), dialogues.size(),
                    files.stream().map(Path::toString).collect(Collectors.joining(", ")),
                    dialogues.contextsPerDialogue(), url, o.dataset(), tag, o.sample().toSeconds());
            HttpDialoguePoster poster = new HttpDialoguePoster(url, o.dataset());
            SoakLedger ledger = new SoakLedger(watch);
            SoakSampler sampler = new SoakSampler(platform, admin, probe, poster, ledger, watch, out);
            sampler.printHeader();
            sampler.baseline();
            ScheduledExecutorService every = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "soak-sampler");
                t.setDaemon(true);
                return t;
            });
            AtomicReference<RuntimeException> failed = new AtomicReference<>();
            every.scheduleAtFixedRate(() -> {
                try {
                    up.checkAlive();
                    watch.check();
                    sampler.sample();
                } catch (RuntimeException e) {
                    failed.set(e);
                    throw e;
                }
            }, o.sample().toMillis(), o.sample().toMillis(), TimeUnit.MILLISECONDS);
            boolean drained;
            try {
                new PacedSender(poster).send(dialogues, tag, count, o.rate(), () -> {
                    rethrow(failed);
                }, ledger::sent);
                drained = watch.await(o.drainTimeout(), () -> {
                    rethrow(failed);
                    return ledger.allLabelled();
                });
            } finally {
                every.shutdownNow();
                every.awaitTermination(1, TimeUnit.MINUTES);
            }
            rethrow(failed);
            // the last row: the drain's dialogues and the heap once everything sent has been labelled
            sampler.sample();
            double seconds = (System.nanoTime() - sampler.started()) / 1e9;
            out.println("judge of the platform (from its labels records): " + String.join(", ",
                    watch.judgeIds().stream().sorted().toList()));
            int rc = totals(poster, ledger.totals(), drained, o);
            trends(sampler.points(), seconds, ledger.totals().labelledContexts());
            return rc;
        }
    }

    /** What ended the sampler (crs up gone, a reader failed) ends the soak too. */
    private static void rethrow(AtomicReference<RuntimeException> failed) {
        if (failed.get() != null) {
            throw failed.get();
        }
    }

    /** crs up with the bench's settings on the soak's state directory, on free ports, in a JVM of its own. */
    private ChildJvm startUp(Options o) {
        List<String> args = new ArrayList<>(List.of("up", "--dataset", o.dataset(), "--state-dir",
                o.stateDir().toString(), "--port", "0", "--kafka-port", "0", "--registry-port", "0"));
        args.addAll(o.settingsFlags());
        try {
            Files.createDirectories(o.stateDir());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the state directory " + o.stateDir(), e);
        }
        return ChildJvm.start(Crs.class.getName(), args, Map.of(), o.stateDir().resolve("crs-up.out"), o.heap());
    }

    private PlatformAddress awaitReady(ChildJvm up, Options o) throws InterruptedException {
        long deadline = System.nanoTime() + o.settleTimeout().toNanos();
        while (!up.output().contains("crs up: ready in")) {
            up.checkAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("crs up did not print its ready block within "
                        + o.settleTimeout().toMinutes() + " min; see " + up.log());
            }
            Thread.sleep(500);
        }
        out.println(up.output().lines().filter(l -> l.startsWith("crs up: ready")).findFirst().orElseThrow());
        return PlatformAddress.read(o.stateDir()).orElseThrow(() -> new IllegalStateException("crs up printed its"
                + " ready block but wrote no " + PlatformAddress.file(o.stateDir())));
    }

    /**
     * Waits until crs up has caught up with the dataset it ingested and trained its first round: its JVM under
     * a quarter of a core and every group's lag unchanged for four 5 s windows in a row (the trainer waits
     * trainer.round.quiet.ms, 10 s, before a round, so a shorter quiet spell could precede one).
     */
    private void settle(ChildJvm up, JvmProbe probe, Admin admin, Platform platform, Options o)
            throws InterruptedException {
        long began = System.nanoTime();
        long deadline = began + o.settleTimeout().toNanos();
        long lastReport = began;
        int idle = 0;
        long lastLag = -1;
        while (idle < IDLE_WINDOWS) {
            long cpu = probe.cpuNanos();
            long t = System.nanoTime();
            Thread.sleep(SETTLE_WINDOW.toMillis());
            up.checkAlive();
            double cores = (probe.cpuNanos() - cpu) / (double) (System.nanoTime() - t);
            long lag = TopicLag.collect(admin, platform).stream()
                    .mapToLong(r -> r.lagByGroup().values().stream().mapToLong(Long::longValue).sum()).sum();
            idle = cores < IDLE_CORES && lag == lastLag ? idle + 1 : 0;
            lastLag = lag;
            if (System.nanoTime() - lastReport > Duration.ofSeconds(30).toNanos()) {
                out.printf(Locale.ROOT, "  settling: crs up at %.2f cores, consumer lag %d records (%.0f s)%n", cores,
                        lag, (System.nanoTime() - began) / 1e9);
                lastReport = System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("crs up did not settle within " + o.settleTimeout().toMinutes()
                        + " min (still at " + String.format(Locale.ROOT, "%.2f", cores) + " cores, lag " + lag
                        + "); raise --settle-timeout or see " + up.log());
            }
        }
        out.printf(Locale.ROOT, "crs up settled after %.0f s (under %.2f cores, lag %d unchanged, for %d s)%n",
                (System.nanoTime() - began) / 1e9, IDLE_CORES, lastLag, IDLE_WINDOWS * SETTLE_WINDOW.toSeconds());
    }

    private int totals(HttpDialoguePoster poster, SoakLedger.Totals t, boolean drained, Options o) {
        long refused = poster.posted() - poster.acknowledged();
        long unlabelled = t.contexts() - t.labelledContexts();
        boolean ok = refused == 0 && unlabelled == 0 && t.contextsWithSeveralLabels() == 0
                && t.labelledDialogues() == t.dialogues();
        out.printf(Locale.ROOT, "totals: posted %d, acknowledged %d, labelled %d dialogues (%d of %d contexts)%s;"
                + " contexts with more than one labels record: %d -> %s%n", poster.posted(), poster.acknowledged(),
                t.labelledDialogues(), t.labelledContexts(), t.contexts(), drained ? "" : ", not all within "
                        + o.drainTimeout().toSeconds() + " s of the last post", t.contextsWithSeveralLabels(),
                ok ? "nothing lost" : "LOST OR DUPLICATED: " + refused + " refused, " + unlabelled
                        + " contexts without labels, " + t.contextsWithSeveralLabels() + " labelled more than once");
        poster.reasons().forEach(r -> out.println("  refused " + r));
        return ok ? 0 : 1;
    }

    private void trends(List<SoakSampler.Point> points, double seconds, long labelledContexts) {
        double[] t = points.stream().mapToDouble(SoakSampler.Point::seconds).toArray();
        GrowthTrend heap = trend("heap after GC", points, t, seconds, p -> p.reading().heapAfterGcBytes() / 1048576.0);
        out.println(heap.describe(v -> String.format(Locale.ROOT, "%.1f MiB", v)) + String.format(Locale.ROOT,
                "; per context labelled over the whole run: %+.2f KiB", labelledContexts == 0 ? 0
                        : (points.get(points.size() - 1).reading().heapAfterGcBytes()
                                - points.get(0).reading().heapAfterGcBytes()) / 1024.0 / labelledContexts));
        out.println(trend("open files", points, t, seconds, p -> p.reading().openFiles())
                .describe(v -> String.format(Locale.ROOT, "%.1f", v)));
        out.println(trend("threads", points, t, seconds, p -> p.reading().threads())
                .describe(v -> String.format(Locale.ROOT, "%.1f", v)));
        if (points.stream().allMatch(p -> p.reading().rssBytes() >= 0)) {
            out.println(trend("resident memory", points, t, seconds, p -> p.reading().rssBytes() / 1048576.0)
                    .describe(v -> String.format(Locale.ROOT, "%.1f MiB", v)));
        }
    }

    private static GrowthTrend trend(String what, List<SoakSampler.Point> points, double[] t, double seconds,
            ToDoubleFunction<SoakSampler.Point> value) {
        return GrowthTrend.of(what, t, points.stream().mapToDouble(value).toArray(), seconds);
    }

    /** SIGTERM, as Ctrl-C would; says whether crs up said it stopped cleanly. */
    private void stop(ChildJvm up) {
        up.close();
        out.println("crs up stopped: " + (up.output().contains("crs up: stopped cleanly") ? "cleanly"
                : "without its 'stopped cleanly' line; see " + up.log()) + " (exit code "
                + up.process().exitValue() + ")");
    }

    private static String clock(Duration d) {
        return SoakSampler.clock(d.toSeconds()) + " min";
    }
}
