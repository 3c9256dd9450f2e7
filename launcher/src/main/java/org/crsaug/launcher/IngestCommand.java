package org.crsaug.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.crsaug.data.dataset.DataDirectory;
import org.crsaug.data.dataset.Datasets;
import org.crsaug.data.dataset.Utf8Text;
import org.crsaug.data.ingest.DialogueIntake;
import org.crsaug.data.ingest.DirectoryWatcher;
import org.crsaug.data.ingest.Ingestor;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Publish a dataset, new dialogues from a file, or every file dropped into a directory, to the "
                + "items and dialogues topics.",
        footer = {"", "Examples:", "  crs ingest --dataset inspired",
                "  crs ingest --file dialogues.jsonl --dataset inspired",
                "  cat dialogue.json | crs ingest --file - --dataset redial",
                "  crs ingest --watch incoming/ --dataset inspired      runs until Ctrl-C",
                "", "A file holds one dialogue as JSON, a JSON list of them, or JSON lines (ReDial and INSPIRED lines",
                "included). Bad records go to dead-letters with their line and reason; the good ones are published.",
                "Exit code 3 when any record was bad (see 'crs dlq list'), 1 when nothing could be done, 2 for a bad",
                "flag or setting. A dialogue already published unchanged is not sent again; one whose id is published",
                "with other content is a bad record unless --replace is given.",
                "--watch takes each file once by content (SHA-256), also across restarts; a file is taken when its",
                "size and time stayed unchanged for ingest.watch.settle.ms, or at once when moved in. See docs/data.md."})
final class IngestCommand implements Callable<Integer> {

    /** Some records were bad: the good ones are published, the bad ones are dead letters. */
    static final int BAD_RECORDS = 3;
    private static final int MAX_IDS_SHOWN = 10;

    @Option(names = "--dataset", required = true, description = "redial or inspired.")
    String dataset;

    @ArgGroup(exclusive = true)
    Source source;

    static final class Source {
        @Option(names = "--file", paramLabel = "FILE",
                description = "Dialogues as JSON, a JSON list or JSON lines ('-' reads stdin) instead of the dataset.")
        String file;

        @Option(names = "--watch", paramLabel = "DIR",
                description = "Ingest every file dropped into DIR, once each, until Ctrl-C.")
        Path watch;
    }

    @Option(names = "--replace", description = "With --file: a dialogue whose id is already published with other "
            + "content replaces it (without: it is refused as a bad record, so a reused id never overwrites silently).")
    boolean replace;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws IOException, InterruptedException {
        CrsConfig config = options.load(Map.of());
        String file = source == null ? null : source.file;
        Path watch = source == null ? null : source.watch;
        if (replace && file == null) {
            throw new ConfigException("--replace goes with --file: a dataset replaces its own changed dialogues"
                    + " (and says which), and a watched directory refuses them; drop such a file on --file instead");
        }
        // everything that can be refused is refused before a broker starts or a state directory is made
        Datasets.checkName(dataset);
        byte[] body = file == null ? null : readBody(file);
        if (watch != null) {
            DirectoryWatcher.requireDirectory(watch);
        }
        if (file == null && watch == null) {
            DataDirectory.datasetDir(config, dataset);
        }
        Logging.toFile(config);
        try (Platform platform = Platform.start(config)) {
            platform.ensureTopics();
            if (watch != null) {
                watchDirectory(platform, watch);
                return 0;
            }
            if (file != null) {
                return ingestFile(platform, file, body);
            }
            try (Ingestor ingestor = new Ingestor(platform)) {
                Ingestor.Report r = ingestor.ingestDataset(dataset, DataDirectory.datasetDir(config, dataset));
                System.out.printf("%d items (%d published), %d dialogues (%d published), %d bad lines sent to"
                        + " dead-letters%s%n", r.itemsRead(), r.itemsPublished(), r.dialoguesRead(),
                        r.dialoguesPublished(), r.failures(), r.replacedNote());
            }
        }
        return 0;
    }

    private static byte[] readBody(String file) throws IOException {
        if (file.equals("-")) {
            return System.in.readAllBytes();
        }
        if (Files.isDirectory(Path.of(file))) {
            throw new IllegalArgumentException(file + " is a directory; name a file, or use --watch " + file);
        }
        return Utf8Text.readBytes(Path.of(file));
    }

    private int ingestFile(Platform platform, String file, byte[] body) {
        boolean stdin = file.equals("-");
        String name = stdin ? "stdin" : file;
        DialogueIntake.Outcome outcome;
        // a fresh transactional id: concurrent 'crs ingest --file' runs must not fence each other
        try (DialogueIntake intake = new DialogueIntake(platform, "crs-ingest-file-" + UUID.randomUUID())) {
            outcome = intake.submit(body, dataset, stdin ? null : file, "file:" + name,
                    DialogueIntake.Policy.GOOD_ONES, replace ? DialogueIntake.Changed.REPLACE
                            : DialogueIntake.Changed.REFUSE);
        }
        outcome.bad().forEach(b -> System.err.println(name + ": " + b));
        System.out.println(name + ": " + outcome.summary()
                + (outcome.clean() ? "" : " ('crs dlq list' shows them; fix and ingest those records again)"));
        if (!outcome.published().isEmpty() && outcome.published().size() <= MAX_IDS_SHOWN) {
            // a person who sent a few dialogues wants their ids (INSPIRED lines get theirs here)
            System.out.println("published " + String.join(", ", outcome.published()));
        }
        return outcome.clean() ? 0 : BAD_RECORDS;
    }

    private void watchDirectory(Platform platform, Path dir) throws InterruptedException {
        CrsConfig config = platform.config();
        PrintStream out = System.out;
        DirectoryWatcher.Listener listener = new WatchLog(out, System.err, "");
        CountDownLatch closed = new CountDownLatch(1);
        try (DirectoryWatcher watcher = new DirectoryWatcher(platform, dir, dataset,
                Duration.ofMillis(config.getLong("ingest.watch.settle.ms")), listener)) {
            // Ctrl-C: the scan in progress finishes its transaction and the watcher closes before the JVM halts
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                watcher.stop();
                try {
                    closed.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "ingest-watch-shutdown"));
            out.println("watching " + watcher.directory() + " for " + dataset + " dialogues; Ctrl-C stops");
            watcher.run(Duration.ofMillis(config.getLong("ingest.watch.poll.ms")));
        } finally {
            closed.countDown();
        }
    }
}
