package org.crsaug.retriever;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Float vectors of one length appended to a scratch file and read back by position: where the retriever keeps
 * the context vectors it may reuse, out of the heap. A continuous pipeline adds one per context for as long as
 * it runs; on the heap they were, after the serve view and the trainer's state, what made a 30-minute soak's
 * heap grow. Here the operating system's page cache keeps the recently used ones in memory and lets the rest go.
 *
 * <p>The file is a cache of the compacted embeddings topic, rebuilt at every start: it is named after the
 * process, deleted on {@link #close()}, and files of processes no longer alive are deleted when a new one is
 * created. Appends are serialised; reads are positional and may run concurrently with them.
 */
final class VectorFile implements AutoCloseable {

    private static final String PREFIX = "vectors-";
    private static final String SUFFIX = ".f32";

    private final Path path;
    private final FileChannel channel;
    private int dimension = -1;
    private long size;

    private VectorFile(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** A new, empty file under {@code dir}, after deleting the files that dead processes left there. */
    static VectorFile create(Path dir) {
        try {
            Files.createDirectories(dir);
            deleteOrphans(dir);
            // a name of its own even for two retrievers in one process
            return new VectorFile(Files.createTempFile(dir, PREFIX + ProcessHandle.current().pid() + "-", SUFFIX));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the retriever's vector file under " + dir
                    + " (it needs a writable state.dir)", e);
        }
    }

    private static void deleteOrphans(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String pid = name.substring(PREFIX.length(), name.indexOf('-', PREFIX.length()));
                try {
                    if (ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                        Files.deleteIfExists(f);
                    }
                } catch (NumberFormatException e) {
                    // not one of ours: leave it
                }
            }
        }
    }

    /** Appends a vector and returns its position for {@link #read(long)}. */
    synchronized long append(float[] vector) {
        if (dimension < 0) {
            dimension = vector.length;
        } else if (vector.length != dimension) {
            throw new IllegalArgumentException("Vector of length " + vector.length + " in a file of length "
                    + dimension + " vectors: one file per encoder");
        }
        ByteBuffer buf = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(vector);
        long at = size;
        try {
            while (buf.hasRemaining()) {
                channel.write(buf, at + buf.position());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write to " + path, e);
        }
        size += vector.length * (long) Float.BYTES;
        return at;
    }

    /** The vector appended at this position. */
    float[] read(long position) {
        int n;
        synchronized (this) {
            n = dimension;
        }
        ByteBuffer buf = ByteBuffer.allocate(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (buf.hasRemaining()) {
                if (channel.read(buf, position + buf.position()) < 0) {
                    throw new IllegalStateException("Vector at " + position + " is past the end of " + path);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read from " + path, e);
        }
        float[] out = new float[n];
        buf.flip();
        buf.asFloatBuffer().get(out);
        return out;
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            channel.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + path, e);
        }
    }
}
