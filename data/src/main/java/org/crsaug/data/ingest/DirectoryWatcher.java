package org.crsaug.data.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.IngestedFile;

/**
 * {@code crs ingest --watch DIR}: every file dropped into the directory is ingested once.
 *
 * <p>Once means by content: after a file's dialogues are published, its SHA-256 is recorded on the
 * compacted {@code ingested-files} topic in the same transaction ({@link DialogueIntake#submitFile}),
 * and a file whose digest is recorded is skipped. A restart reads the records back, so it neither
 * repeats a file (its marker committed with its dialogues) nor skips one (no marker, no dialogues:
 * the transaction of a crashed run is aborted when the next one starts with the same transactional
 * id, which is derived from the directory). A scan decides nothing while a transaction on
 * {@code ingested-files} is undecided: a run killed after asking to commit leaves its marker there until the
 * broker writes the commit, and a scan that read only the committed records then would take the file again.
 *
 * <p>A file is only read whole. Polling, not {@code WatchService}, decides that: a file is taken when
 * its size and modification time are unchanged for {@code ingest.watch.settle.ms}, and again after
 * reading, so a file still being written is left for a later scan. Names starting with a dot or
 * ending in {@code .tmp}, {@code .part} or {@code ~} are never taken: write under such a name, or
 * elsewhere on the same file system, and rename into place, which is atomic. Files are left where
 * they are; subdirectories are not read.
 */
public final class DirectoryWatcher implements AutoCloseable {

    /** What the watcher did with a file, for the command's output. */
    public interface Listener {
        void ingested(Path file, DialogueIntake.Outcome outcome);

        void skipped(Path file, String why);

        /** The file stays untaken and is tried again later; {@code file} is the directory when a whole scan failed. */
        void failed(Path file, RuntimeException error);
    }

    private record Seen(long size, long modifiedMs, long sinceNanos) {
    }

    private final Path dir;
    private final String dataset;
    private final long settleNanos;
    private final Listener listener;
    private final DialogueIntake intake;
    private final TopicFollower<IngestedFile> markers;
    /** Compares what is written on ingested-files with what committed readers see (see undecided). */
    private final Admin admin;
    /** When scans started to find an undecided transaction on ingested-files, or -1. */
    private long undecidedSince = -1;
    private long undecidedReported;
    private static final Duration UNDECIDED_REPORT = Duration.ofSeconds(30);
    private final Set<String> ingested = new HashSet<>();
    private final Map<Path, Seen> seen = new HashMap<>();
    /** Files done with in this run, by path and version, so an unchanged file is not read at every scan. */
    private final Map<Path, Seen> handled = new HashMap<>();
    /** Files whose ingestion failed (no catalogue yet, Kafka away): tried again after a pause, not at every scan. */
    private final Map<Path, Long> retryAt = new HashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(30);

    public DirectoryWatcher(Platform platform, Path dir, String dataset, Duration settle, Listener listener) {
        requireDirectory(dir);
        this.dir = dir.toAbsolutePath().normalize();
        this.dataset = DialogueIntake.canonical(dataset);
        this.settleNanos = settle.toNanos();
        this.listener = listener;
        String id = transactionalId(this.dir);
        this.intake = new DialogueIntake(platform, id);
        TopicFollower<IngestedFile> follower = null;
        try {
            follower = new TopicFollower<>(platform, Topics.INGESTED_FILES, id + "-markers");
            this.admin = Admin.create(platform.adminProps());
        } catch (RuntimeException e) {
            if (follower != null) {
                follower.close();
            }
            intake.close();
            throw e;
        }
        this.markers = follower;
    }

    /** Fails with what to do when {@code dir} cannot be watched; commands call it before starting anything. */
    public static void requireDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("Cannot watch " + dir.toAbsolutePath() + ": not a directory (create it "
                    + "first, or give the directory files are dropped into)");
        }
    }

    /** One id per directory: a restarted watcher fences the old one and aborts its open transaction. */
    static String transactionalId(Path dir) {
        return "crs-ingest-watch-" + DialogueIntake.sha256(dir.toAbsolutePath().normalize().toString()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16);
    }

    public Path directory() {
        return dir;
    }

    /**
     * Scans until {@link #stop}. A scan that fails (Kafka away, the directory unreadable) is reported
     * against the directory and the next one tries again; only being fenced by another watcher of the
     * same directory ends the loop, since every later transaction would fail the same way.
     */
    public void run(Duration pollInterval) throws InterruptedException {
        do {
            try {
                scan();
            } catch (RuntimeException e) {
                if (fenced(e)) {
                    throw e;
                }
                listener.failed(dir, e);
            }
        } while (!stopped.await(pollInterval.toMillis(), TimeUnit.MILLISECONDS));
    }

    private static boolean fenced(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.ProducerFencedException) {
                return true;
            }
        }
        return false;
    }

    public void stop() {
        stopped.countDown();
    }

    /**
     * One scan: takes every settled file not ingested before. While a transaction on ingested-files is
     * undecided it takes nothing (the next scan looks again), and says so once it has lasted 30 s.
     */
    public void scan() {
        if (undecided()) {
            long now = System.nanoTime();
            if (undecidedSince < 0) {
                undecidedSince = now;
                undecidedReported = now;
            } else if (now - undecidedReported >= UNDECIDED_REPORT.toNanos()) {
                undecidedReported = now;
                listener.failed(dir, new IllegalStateException("No file taken for "
                        + Duration.ofNanos(now - undecidedSince).toSeconds() + " s: a transaction on "
                        + markers.topic() + " is neither committed nor aborted yet (a run killed while ingesting; "
                        + "Kafka aborts an open one after transaction.timeout.ms and completes a commit when its "
                        + "coordinator is back)"));
            }
            return;
        }
        undecidedSince = -1;
        markers.catchUp(r -> {
            if (r.value() != null) {
                ingested.add(r.key());
            }
        }, Duration.ofSeconds(30));
        long now = System.nanoTime();
        List<Path> ready = new ArrayList<>();
        Map<Path, Seen> present = new HashMap<>();
        for (Path file : listFiles()) {
            Seen current = stat(file, now);
            if (current == null) {
                continue;
            }
            present.put(file, current);
            Seen before = seen.get(file);
            if (before == null || !sameVersion(before, current)) {
                seen.put(file, current);
                before = current;
            }
            Seen done = handled.get(file);
            if (done != null && sameVersion(done, current)) {
                continue;
            }
            if (now - before.sinceNanos() >= settleNanos && now - retryAt.getOrDefault(file, now) >= 0) {
                ready.add(file);
            }
        }
        seen.keySet().retainAll(present.keySet());
        handled.keySet().retainAll(present.keySet());
        retryAt.keySet().retainAll(present.keySet());
        ready.sort(Comparator.comparingLong((Path f) -> present.get(f).modifiedMs()).thenComparing(Path::toString));
        for (Path file : ready) {
            take(file, present.get(file));
        }
    }

    /**
     * Whether ingested-files holds records of a transaction not yet committed or aborted: its committed readers'
     * end (the last stable offset) is then short of what is written. Such a record may be the marker of a file
     * whose commit is already decided but not yet visible, so a file must not be judged by the committed
     * records alone.
     */
    private boolean undecided() {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartition tp : markers.positions().keySet()) {
            latest.put(tp, OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> committed = ends(latest,
                IsolationLevel.READ_COMMITTED);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> written = ends(latest,
                IsolationLevel.READ_UNCOMMITTED);
        return latest.keySet().stream().anyMatch(tp -> committed.get(tp).offset() < written.get(tp).offset());
    }

    private Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends(Map<TopicPartition, OffsetSpec> latest,
            IsolationLevel isolation) {
        try {
            return admin.listOffsets(latest, new ListOffsetsOptions(isolation)).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the ends of " + markers.topic(), e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Could not read the ends of " + markers.topic() + ": " + e.getMessage(), e);
        }
    }

    private void take(Path file, Seen settled) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            failed(file, new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e));
            return;
        }
        Seen after = stat(file, System.nanoTime());
        if (after == null || !sameVersion(settled, after) || after.size() != content.length) {
            // written to while being read: wait until it settles again
            seen.remove(file);
            return;
        }
        String key = DialogueIntake.fileKey(dataset, DialogueIntake.sha256(content));
        if (ingested.contains(key)) {
            handled.put(file, settled);
            listener.skipped(file, "already ingested (same content, sha256 " + key.substring(dataset.length() + 1,
                    dataset.length() + 13) + "...)");
            return;
        }
        DialogueIntake.Outcome outcome;
        try {
            outcome = intake.submitFile(content, dataset, file.toString());
        } catch (IllegalStateException e) {
            if (fenced(e)) {
                throw e;
            }
            failed(file, e);
            return;
        }
        retryAt.remove(file);
        ingested.add(key);
        handled.put(file, settled);
        listener.ingested(file, outcome);
    }

    private void failed(Path file, RuntimeException e) {
        retryAt.put(file, System.nanoTime() + RETRY_PAUSE.toNanos());
        listener.failed(file, e);
    }

    private List<Path> listFiles() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(DirectoryWatcher::takesName).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Names a writer uses while a file is incomplete are never taken. */
    static boolean takesName(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && !name.endsWith(".tmp") && !name.endsWith(".part") && !name.endsWith("~");
    }

    private static Seen stat(Path file, long now) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.isRegularFile() ? new Seen(a.size(), a.lastModifiedTime().toMillis(), now) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean sameVersion(Seen a, Seen b) {
        return a.size() == b.size() && a.modifiedMs() == b.modifiedMs();
    }

    @Override
    public void close() {
        stop();
        admin.close(Duration.ZERO);
        markers.close();
        intake.close();
    }
}
