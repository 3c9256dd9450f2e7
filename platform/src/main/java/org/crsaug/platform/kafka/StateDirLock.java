package org.crsaug.platform.kafka;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive right of one process to start the embedded broker on a state directory. Kafka's own
 * lock on its log directory is checked only after its KRaft controller has already appended to the
 * shared {@code __cluster_metadata} log, so a second process on a directory in use corrupts the
 * running one's metadata; this lock is taken before the broker touches any file.
 *
 * <p>The same kind of lock, on a file of another name, keeps other one-per-state-directory roles to one
 * process (the trainer: {@link #tryAcquire(Path, String)}).
 *
 * <p>The lock file also records who holds it (pid, command, since when), written through the
 * locked channel, so a refused command can say which process to stop.
 *
 * <p>{@link FileChannel#tryLock()} is a POSIX record lock: per process, and closing <em>any</em>
 * descriptor of the file in the holding process releases it. A second acquisition in the same JVM
 * must therefore never open the file at all; {@link #HELD} answers it from memory instead.
 */
public final class StateDirLock implements AutoCloseable {

    /** The lock file's name inside the state directory. */
    public static final String FILE_NAME = "crs.lock";

    /** Locks this JVM holds, by lock file: the in-JVM guard described above. */
    private static final Map<Path, StateDirLock> HELD = new ConcurrentHashMap<>();

    private final Path dir;
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final String holder;

    private StateDirLock(Path dir, Path file, FileChannel channel, FileLock lock, String holder) {
        this.dir = dir;
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.holder = holder;
    }

    /**
     * Takes the lock on {@code stateDir} (created if missing), or returns empty when another process, or
     * another platform of this JVM, holds it.
     */
    public static Optional<StateDirLock> tryAcquire(Path stateDir) {
        return tryAcquire(stateDir, FILE_NAME);
    }

    /**
     * Takes the lock of the file {@code fileName} in {@code stateDir} (both created if missing), or returns
     * empty when another process, or another holder in this JVM, has it.
     */
    public static Optional<StateDirLock> tryAcquire(Path stateDir, String fileName) {
        Path dir = stateDir.toAbsolutePath().normalize();
        Path file = dir.resolve(fileName);
        synchronized (HELD) {
            if (HELD.containsKey(file)) {
                return Optional.empty();
            }
            FileChannel channel = null;
            try {
                Files.createDirectories(dir);
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    channel.close();
                    return Optional.empty();
                }
                String holder = describeThisProcess();
                channel.truncate(0);
                channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
                channel.force(false);
                StateDirLock held = new StateDirLock(dir, file, channel, lock, holder);
                HELD.put(file, held);
                return Optional.of(held);
            } catch (IOException e) {
                closeQuietly(channel);
                // an IllegalStateException is reported as one line by every command
                throw new IllegalStateException("Cannot lock the state directory " + dir + " (" + file + ": " + e
                        + "): check that it is writable, or choose another with --state-dir", e);
            }
        }
    }

    /**
     * Who holds the lock on {@code stateDir}, as its holder wrote it ("pid 123: crs up ... since ..."), or
     * "an unknown process" when it cannot be read. Only meaningful after {@link #tryAcquire} failed.
     */
    public static String holder(Path stateDir) {
        return holder(stateDir, FILE_NAME);
    }

    /** Who holds the lock of {@code fileName} in {@code stateDir}; see {@link #holder(Path)}. */
    public static String holder(Path stateDir, String fileName) {
        Path file = stateDir.toAbsolutePath().normalize().resolve(fileName);
        StateDirLock own = HELD.get(file);
        if (own != null) {
            return own.holder + " (this process)";
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? "an unknown process" : text;
        } catch (NoSuchFileException e) {
            return "an unknown process";
        } catch (IOException e) {
            return "an unknown process (" + e.getMessage() + ")";
        }
    }

    /** Whether this JVM holds the lock on {@code stateDir}. */
    public static boolean heldHere(Path stateDir) {
        return HELD.containsKey(stateDir.toAbsolutePath().normalize().resolve(FILE_NAME));
    }

    public Path dir() {
        return dir;
    }

    /** Releases the lock; the file stays, since deleting it could race with a process about to lock it. */
    @Override
    public void close() {
        synchronized (HELD) {
            if (HELD.remove(file, this)) {
                try {
                    lock.release();
                } catch (IOException e) {
                    // closing the channel below releases it anyway
                }
                closeQuietly(channel);
            }
        }
    }

    private static String describeThisProcess() {
        ProcessHandle self = ProcessHandle.current();
        // sun.java.command is the main class or jar plus the arguments: "crs.jar up --dataset inspired"
        String command = System.getProperty("sun.java.command", self.info().command().orElse("java"));
        return "pid " + self.pid() + ": " + command + ", since " + Instant.now();
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing is held through a channel that failed
            }
        }
    }
}
