package org.crsaug.retriever;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retriever's off-heap store of context vectors: bit-exact round trips (special values included), reads
 * beside appends, one length per file, the file gone on close, and files of dead processes removed.
 */
class VectorFileTest {

    @Test
    void readsBackEveryVectorBitForBitWhileOthersAreAppended(@TempDir Path dir) throws Exception {
        Random random = new Random(7);
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            float[] v = new float[384];
            for (int j = 0; j < v.length; j++) {
                v[j] = Float.intBitsToFloat(random.nextInt());
            }
            vectors.add(v);
        }
        vectors.get(0)[0] = Float.NaN;
        vectors.get(0)[1] = -0f;
        vectors.get(0)[2] = Float.MIN_VALUE;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (VectorFile file = VectorFile.create(dir)) {
            long[] positions = new long[vectors.size()];
            for (int i = 0; i < 1_000; i++) {
                positions[i] = file.append(vectors.get(i));
            }
            // the second half is appended while the first is read on another thread
            Future<?> reads = pool.submit(() -> {
                for (int i = 0; i < 1_000; i++) {
                    assertBitEqual(file.read(positions[i]), vectors.get(i));
                }
            });
            for (int i = 1_000; i < vectors.size(); i++) {
                positions[i] = file.append(vectors.get(i));
            }
            reads.get();
            for (int i = 0; i < vectors.size(); i++) {
                assertBitEqual(file.read(positions[i]), vectors.get(i));
            }
            assertThat(Files.size(file.path())).isEqualTo(2_000L * 384 * Float.BYTES);
            assertThatThrownBy(() -> file.append(new float[3])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("one file per encoder");
            Path path = file.path();
            file.close();
            assertThat(path).doesNotExist();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void removesTheFilesOfProcessesThatNoLongerRun(@TempDir Path dir) throws Exception {
        // pid 2^22 + 1 is above Linux's pid_max default range; a live process's file stays
        Path dead = Files.createFile(dir.resolve("vectors-4194305-123.f32"));
        Path live = Files.createFile(dir.resolve("vectors-" + ProcessHandle.current().pid() + "-456.f32"));
        Path other = Files.createFile(dir.resolve("notes.txt"));
        try (VectorFile file = VectorFile.create(dir)) {
            assertThat(file.path()).exists();
            assertThat(dead).doesNotExist();
            assertThat(live).exists();
            assertThat(other).exists();
        }
    }

    private static void assertBitEqual(float[] actual, float[] expected) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToRawIntBits(actual[i])).isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }
}
