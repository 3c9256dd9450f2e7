package org.crsaug.platform.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Stores checkpoint artifacts as directories under a root given as a URI (a local directory today,
 * shared storage mounted as one later). An artifact becomes visible only by an atomic rename of a
 * complete directory, so a crash mid-write never leaves a published half-artifact.
 */
public final class ArtifactStore {

    /** What publishing produced: where it lives and the checksum readers verify. */
    public record Published(String uri, String sha256) {
    }

    @FunctionalInterface
    public interface Writer {
        void writeInto(Path directory) throws IOException;
    }

    /**
     * Sees each complete staging directory just before its rename. It exists so that fault-injection
     * tests can stop a writer at the worst moment; whatever it throws leaves the staging directory
     * behind, exactly as a crash there would.
     */
    @FunctionalInterface
    public interface StagingHook {
        StagingHook NONE = (artifactId, staging) -> { };

        void beforeRename(String artifactId, Path staging) throws IOException;
    }

    private final Path root;
    private final StagingHook stagingHook;

    public ArtifactStore(Path root) {
        this(root, StagingHook.NONE);
    }

    public ArtifactStore(Path root, StagingHook stagingHook) {
        this.root = root.toAbsolutePath();
        this.stagingHook = stagingHook;
    }

    public Path root() {
        return root;
    }

    /** Prefix of the directories an artifact is written into before its rename; never an artifact id. */
    public static final String STAGING_PREFIX = ".staging-";

    /**
     * Staging directories' names carry their writer's pid after this ({@code .staging-pid123-<artifact>-<rnd>}),
     * so that a writer starting beside a live one (a trainer starting while a {@code crs replay} attached to
     * {@code crs up} retrains into the same root) can tell a dead writer's leftovers from work in progress.
     */
    private static final String OWNER_TAG = "pid";

    /**
     * Staging directories being written in this JVM right now. A pid alone cannot tell a live writer of this
     * process from one of this process that failed mid-artifact (its directory is left behind, as a crash
     * would leave it): only the first is in this set.
     */
    private static final Set<Path> WRITING = ConcurrentHashMap.newKeySet();

    /**
     * Deletes the staging directories left by writers that died mid-artifact: those whose owning process is
     * gone, those of this process that no writer is working on any more, and those of older versions, which
     * recorded no owner. A live writer's staging directory, in this process or another, is left alone, so it
     * is safe to call while other writers of the same root run.
     *
     * @return how many were removed
     */
    public int cleanStaleStaging() {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int removed = 0;
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(STAGING_PREFIX)).toList()) {
                if (isStale(p)) {
                    deleteTree(p);
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot clean staging directories under " + root, e);
        }
        return removed;
    }

    private static boolean isStale(Path staging) {
        OptionalLong owner = stagingOwner(staging);
        if (owner.isEmpty()) {
            return true;
        }
        if (owner.getAsLong() == ProcessHandle.current().pid()) {
            synchronized (WRITING) {
                return !WRITING.contains(staging);
            }
        }
        return ProcessHandle.of(owner.getAsLong()).map(h -> !h.isAlive()).orElse(true);
    }

    /** The pid recorded in a staging directory's name; empty for a name without one (an older version's). */
    public static OptionalLong stagingOwner(Path staging) {
        String name = staging.getFileName().toString();
        String tagged = STAGING_PREFIX + OWNER_TAG;
        String rest = name.startsWith(tagged) ? name.substring(tagged.length()) : "";
        int dash = rest.indexOf('-');
        if (dash <= 0) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(rest.substring(0, dash)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Deletes a directory and everything under it. */
    public static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public Published publish(String artifactId, Writer writer) {
        try {
            Files.createDirectories(root);
            Path target = root.resolve(artifactId);
            if (Files.exists(target)) {
                return new Published(target.toUri().toString(), checksum(target));
            }
            Path staging;
            // created and marked as in progress at once, so a cleaner in this process never sees it unmarked
            synchronized (WRITING) {
                staging = Files.createTempDirectory(root, STAGING_PREFIX + OWNER_TAG + ProcessHandle.current().pid()
                        + "-" + artifactId + "-");
                WRITING.add(staging);
            }
            try {
                return writeAndRename(artifactId, writer, staging, target);
            } finally {
                WRITING.remove(staging);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot publish artifact " + artifactId + " under " + root, e);
        }
    }

    private Published writeAndRename(String artifactId, Writer writer, Path staging, Path target) throws IOException {
        try {
            writer.writeInto(staging);
        } catch (IOException | RuntimeException e) {
            deleteTree(staging);
            throw e;
        }
        String sha = checksum(staging);
        stagingHook.beforeRename(artifactId, staging);
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("Artifact root " + root + " does not support atomic renames", e);
        } catch (IOException e) {
            // another writer published the same id meanwhile (scorer replicas that trained a student on the
            // same data): the first rename stands, and this copy is dropped. Linux reports the taken name as a
            // plain FileSystemException ("Directory not empty"), so the target itself is what tells
            if (!Files.isDirectory(target)) {
                throw e;
            }
            deleteTree(staging);
            return new Published(target.toUri().toString(), checksum(target));
        }
        return new Published(target.toUri().toString(), sha);
    }

    /** Resolves an artifact URI and checks it is intact before anyone loads it. */
    public static Path open(String uri, String expectedSha256) {
        Path dir = Path.of(URI.create(uri));
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("Artifact " + uri + " does not exist (was the artifact directory moved?)");
        }
        try {
            String actual = checksum(dir);
            if (!actual.equals(expectedSha256)) {
                throw new IllegalStateException("Artifact " + uri + " is corrupt: checksum " + actual
                        + " but the checkpoint says " + expectedSha256);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** SHA-256 over every regular file's relative name and bytes, in name order. */
    public static String checksum(Path dir) throws IOException {
        MessageDigest md = newSha256();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            md.update(dir.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update((byte) 0);
            update(md, f);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** SHA-256 of one file's bytes, in hex: what artifacts record per file beside the whole-directory checksum. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = newSha256();
        update(md, file);
        return HexFormat.of().formatHex(md.digest());
    }

    /** The same digest of bytes already in memory (a file read once, so digest and content agree). */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // every Java platform must provide SHA-256
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest md, Path file) throws IOException {
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
    }
}
