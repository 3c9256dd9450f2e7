package org.crsaug.model.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MiniLmEncoderTest {

    private static final String HORROR = "A family moves into an old house where a vengeful ghost haunts them at night, "
            + "doors slam, and a terrified girl is possessed by a demon.";
    private static final String ROMCOM = "Two rival wedding planners fall in love in New York after a series of "
            + "funny misunderstandings, ending with a kiss in the rain.";
    private static final String SCIFI = "The crew of a starship travels through a wormhole to explore distant "
            + "planets and battle alien fleets among the stars.";
    private static final String WESTERN = "A lone gunslinger rides into a dusty frontier town and faces the "
            + "outlaw gang that terrorises the ranchers.";
    private static final String DOCUMENTARY = "A documentary following chefs across Italy as they cook "
            + "traditional pasta recipes in family restaurants.";

    @TempDir
    static Path cache;

    private static MiniLmEncoder encoder;

    @BeforeAll
    static void load() {
        encoder = new MiniLmEncoder(cache, 4);
    }

    @AfterAll
    static void unload() {
        if (encoder != null) {
            encoder.close();
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static float maxAbsDiff(float[][] a, float[][] b) {
        assertThat(a.length).isEqualTo(b.length);
        float m = 0;
        for (int r = 0; r < a.length; r++) {
            for (int i = 0; i < a[r].length; i++) {
                m = Math.max(m, Math.abs(a[r][i] - b[r][i]));
            }
        }
        return m;
    }

    private static String longText() {
        return String.join(" ", Collections.nCopies(120, "the haunted lighthouse keeper watched the storm"));
    }

    @Test
    void rowsHave384UnitLengthEntries() {
        float[][] v = encoder.encode(List.of(HORROR, "", "   ", "a"));
        assertThat(encoder.dimension()).isEqualTo(384);
        assertThat(v).hasNumberOfRows(4);
        for (float[] row : v) {
            assertThat(row).hasSize(384);
            assertThat(Math.sqrt(dot(row, row))).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        // blank input must still be deterministic
        assertThat(maxAbsDiff(new float[][] {v[1]}, encoder.encode(List.of("")))).isLessThan(1e-6f);
    }

    @Test
    void emptyListGivesNoRows() {
        assertThat(encoder.encode(List.of())).isEmpty();
    }

    @Test
    void ghostQueryIsCloserToHorrorThanToRomance() {
        float[][] v = encoder.encode(List.of("I want a really scary movie about a ghost", HORROR, ROMCOM));
        assertThat(dot(v[0], v[1])).isGreaterThan(dot(v[0], v[2]) + 0.05);
    }

    @Test
    void spaceQueryPicksTheSciFiPlotAmongFour() {
        List<String> plots = List.of(ROMCOM, WESTERN, SCIFI, DOCUMENTARY);
        float[] q = encoder.encode(List.of("something like a space adventure"))[0];
        float[][] p = encoder.encode(plots);
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (dot(q, p[i]) > dot(q, p[best])) {
                best = i;
            }
        }
        assertThat(plots.get(best)).isEqualTo(SCIFI);
    }

    @Test
    void batchedMatchesOneAtATime() {
        // lengths vary so the batch needs padding; 7 texts with batch size 4 leaves a partial last batch
        List<String> texts = List.of(HORROR, "ghost", ROMCOM, "", SCIFI + " " + WESTERN, DOCUMENTARY, longText());
        float[][] batched = encoder.encode(texts);
        float[][] single = new float[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            single[i] = encoder.encode(List.of(texts.get(i)))[0];
        }
        assertThat(maxAbsDiff(batched, single)).isLessThan(1e-4f);
    }

    @Test
    void twoInstancesAgreeAndShareTheCache(@TempDir Path other) throws Exception {
        List<String> texts = List.of(HORROR, SCIFI, "");
        try (MiniLmEncoder second = new MiniLmEncoder(cache, 2); MiniLmEncoder third = new MiniLmEncoder(other, 8)) {
            assertThat(second.id()).isEqualTo(encoder.id()).isEqualTo(third.id()).startsWith("all-minilm-l6-v2-q@256");
            float[][] a = encoder.encode(texts);
            assertThat(maxAbsDiff(a, second.encode(texts))).isLessThan(1e-4f);
            assertThat(maxAbsDiff(a, third.encode(texts))).isLessThan(1e-4f);
        }
        try (var files = Files.list(cache.resolve("all-minilm-l6-v2-q"))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("model.onnx", "tokenizer.json");
        }
    }

    @Test
    void textsBeyond256TokensAreTruncatedNotRejected() {
        String longer = longText();
        String longest = longer + " " + longer;
        float[][] v = encoder.encode(List.of(longer, longest));
        assertThat(Math.sqrt(dot(v[0], v[0]))).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        // both are cut to the same first 256 tokens
        assertThat(maxAbsDiff(new float[][] {v[0]}, new float[][] {v[1]})).isLessThan(1e-4f);
    }

    @Test
    void cutOffIs256TokensNot128() {
        // each repetition is 7 word pieces, so 20 of them plus [CLS]/[SEP] (144) sit between 128 and 256
        String middle = String.join(" ", Collections.nCopies(20, "the haunted lighthouse keeper watched the storm"));
        float[][] v = encoder.encode(List.of(middle + " aliens invade", middle + " lovers kiss"));
        assertThat(maxAbsDiff(new float[][] {v[0]}, new float[][] {v[1]})).isGreaterThan(1e-3f);
    }

    @Test
    void concurrentUseMatchesSequential() throws Exception {
        List<List<String>> work = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                texts.add("thread " + t + " sentence " + i + " about " + (i % 2 == 0 ? HORROR : SCIFI));
            }
            work.add(texts);
        }
        float[][][] sequential = {encoder.encode(work.get(0)), encoder.encode(work.get(1))};
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<float[][]>> futures = new ArrayList<>();
            for (List<String> texts : work) {
                Callable<float[][]> job = () -> {
                    start.await();
                    float[][] last = null;
                    for (int round = 0; round < 3; round++) {
                        last = encoder.encode(texts);
                    }
                    return last;
                };
                futures.add(pool.submit(job));
            }
            start.countDown();
            for (int t = 0; t < 2; t++) {
                assertThat(maxAbsDiff(futures.get(t).get(), sequential[t])).isLessThan(1e-4f);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closedEncoderRefusesWork(@TempDir Path dir) {
        MiniLmEncoder e = new MiniLmEncoder(dir, 2);
        e.close();
        e.close();
        assertThatThrownBy(() -> e.encode(List.of("x"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void cachedFilesAreRewrittenWhenCorrupted(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("tokenizer.json");
        String artifact = OnnxModelSpec.ALL_MINILM_L6_V2.artifact();
        Files.writeString(target, "not a tokenizer");
        Object corrupted = fileKey(target);
        BundledModelFiles.materialise(MiniLmEncoder.TOKENIZER_RESOURCE, target, artifact);
        assertThat(Files.size(target)).isGreaterThan(1000);
        // a rewrite renames a fresh file into place, so the file's identity (inode) shows it, whatever the clock
        Object written = fileKey(target);
        assertThat(written).as("file key after the rewrite").isNotNull().isNotEqualTo(corrupted);
        BundledModelFiles.materialise(MiniLmEncoder.TOKENIZER_RESOURCE, target, artifact);
        assertThat(fileKey(target)).as("an intact file is left in place").isEqualTo(written);
    }

    private static Object fileKey(Path file) throws java.io.IOException {
        return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    }
}
