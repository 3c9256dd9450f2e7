package org.crsaug.model.recommender;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.crsaug.platform.artifact.ArtifactStore;

/**
 * The saved form of a {@link TrainedRecommender}, format version 2: a directory holding
 * <ul>
 *   <li>{@value #PARAMS_FILE}: the parameters, written and read by DJL's {@link Model#save}/{@link Model#load}
 *       (as the scorer's student model is);</li>
 *   <li>{@value #METADATA_FILE}: what DJL's parameter file does not carry and a load needs to rebuild the
 *       block and report on it: format version, backbone, {@link NetworkDims}, training settings,
 *       validation metrics and epoch history;</li>
 *   <li>{@value #CHECKSUM_FILE}: SHA-256 of both files in {@code sha256sum} format, checked before anything
 *       is parsed, so a damaged or truncated model is rejected instead of silently scoring garbage.</li>
 * </ul>
 * The item ids are not here: a checkpoint artifact stores its catalogue beside the model, and the
 * metadata's {@code numItems} lets the loader check the two agree.
 *
 * <p>Format version 1 was one private binary file ({@value #LEGACY_FILE} in checkpoint artifacts, starting
 * with {@code CRSREC}); it is refused with a message saying how to get a model in the new format.
 */
final class RecommenderArtifact {

    static final int FORMAT_VERSION = 2;
    static final String FORMAT = "crs-recommender";
    static final String PARAMS_PREFIX = "recommender";
    /** Model.save numbers parameter files by epoch; a fresh directory always gets epoch 0. */
    static final String PARAMS_FILE = PARAMS_PREFIX + "-0000.params";
    static final String METADATA_FILE = "recommender.json";
    static final String CHECKSUM_FILE = "recommender.sha256";
    static final String LEGACY_FILE = "model.bin";
    private static final byte[] LEGACY_MAGIC = "CRSREC".getBytes(StandardCharsets.US_ASCII);
    private static final String RETRAIN = "retrain it with `crs run` (a new round) or"
            + " `crs replay --checkpoint ID` (the same checkpoint rebuilt from its lineage)";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The JSON sidecar. */
    record Metadata(String format, int formatVersion, String backbone, NetworkDims dims, Map<String, String> settings,
                    Map<String, Double> validationMetrics, List<EpochLog> history, String parameters) {
    }

    private RecommenderArtifact() {
    }

    /** Writes into a temporary sibling directory and renames it, so readers never see half a model. */
    static void save(Model model, Metadata metadata, Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + ".tmp-");
        try {
            model.save(tmp, PARAMS_PREFIX);
            if (!Files.isRegularFile(tmp.resolve(PARAMS_FILE))) {
                throw new IOException("DJL did not write " + PARAMS_FILE + " into " + tmp);
            }
            JSON.writeValue(tmp.resolve(METADATA_FILE).toFile(), metadata);
            Files.writeString(tmp.resolve(CHECKSUM_FILE), sha256Line(tmp, PARAMS_FILE) + sha256Line(tmp, METADATA_FILE));
            moveIntoPlace(tmp, abs);
        } finally {
            deleteTree(tmp);
        }
    }

    private static void moveIntoPlace(Path written, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            // a non-empty directory cannot be replaced by a rename: move the old one aside first
            old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
            Files.delete(old);
            move(target, old);
        }
        move(written, target);
        if (old != null) {
            deleteTree(old);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /**
     * @throws RecommenderFormatException when {@code dir} is not a saved recommender, is of another format
     *                                    version, fails its checksum or does not fit its backbone
     */
    static TrainedRecommender load(Path dir) throws IOException {
        if (Files.isRegularFile(dir)) {
            throw isLegacy(dir) ? legacy(dir) : new RecommenderFormatException(dir
                    + " is not a saved recommender (a file, not a model directory)");
        }
        if (!Files.isDirectory(dir)) {
            Path legacy = dir.resolveSibling(LEGACY_FILE);
            if (isLegacy(legacy)) {
                throw legacy(legacy);
            }
            throw new RecommenderFormatException("there is no saved recommender at " + dir);
        }
        for (String name : List.of(CHECKSUM_FILE, METADATA_FILE, PARAMS_FILE)) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw new RecommenderFormatException(dir + " is not a saved recommender (missing " + name + ")");
            }
        }
        verifyChecksums(dir);
        Metadata m;
        try {
            m = JSON.readValue(dir.resolve(METADATA_FILE).toFile(), Metadata.class);
        } catch (JacksonException e) {
            throw new RecommenderFormatException(dir + ": unreadable " + METADATA_FILE + ": " + e.getOriginalMessage(), e);
        }
        if (!FORMAT.equals(m.format())) {
            throw new RecommenderFormatException(dir + " is not a saved recommender (format '" + m.format() + "')");
        }
        if (m.formatVersion() != FORMAT_VERSION) {
            throw new RecommenderFormatException(dir + " has format version " + m.formatVersion()
                    + ", this build reads version " + FORMAT_VERSION + "; " + RETRAIN);
        }
        if (m.dims() == null || !PARAMS_FILE.equals(m.parameters())) {
            throw new RecommenderFormatException(dir + ": " + METADATA_FILE + " lacks the network dimensions or"
                    + " names parameters '" + m.parameters() + "' instead of " + PARAMS_FILE);
        }
        Backbone backbone;
        try {
            backbone = Backbone.forName(m.backbone());
        } catch (IllegalArgumentException e) {
            throw new RecommenderFormatException(dir + ": " + e.getMessage(), e);
        }
        Model model = TrainedRecommender.emptyModel("crs-recommender");
        try {
            Block block = backbone.newBlock(m.dims(), null, new Random(0));
            Map<String, long[]> expected = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                expected.put(p.getKey(), p.getValue().getShape().getShape());
            }
            model.setBlock(block);
            model.load(dir, PARAMS_PREFIX, Map.of("epoch", "0"));
            // DJL takes each parameter's shape from the file, so a file of another network loads without complaint
            for (Pair<String, Parameter> p : block.getParameters()) {
                long[] got = p.getValue().getArray().getShape().getShape();
                if (!Arrays.equals(got, expected.get(p.getKey()))) {
                    throw new RecommenderFormatException(dir + " does not match the " + backbone.name() + " backbone "
                            + m.dims() + ": parameter '" + p.getKey() + "' has shape " + Arrays.toString(got)
                            + ", the network needs " + Arrays.toString(expected.get(p.getKey())));
                }
            }
            return new TrainedRecommender(model, backbone, m.dims(), orEmpty(m.settings()),
                    orEmpty(m.validationMetrics()), m.history() == null ? List.of() : m.history());
        } catch (MalformedModelException | RuntimeException e) {
            model.close();
            throw new RecommenderFormatException(dir + " does not match the " + backbone.name() + " backbone: "
                    + e.getMessage(), e);
        } catch (IOException e) {
            model.close();
            throw e;
        }
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> m) {
        return m == null ? Map.of() : m;
    }

    private static void verifyChecksums(Path dir) throws IOException {
        Map<String, String> listed = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve(CHECKSUM_FILE), StandardCharsets.UTF_8)) {
            int gap = line.indexOf("  ");
            if (gap > 0) {
                listed.put(line.substring(gap + 2), line.substring(0, gap));
            }
        }
        for (String name : List.of(PARAMS_FILE, METADATA_FILE)) {
            String want = listed.get(name);
            if (want == null) {
                throw new RecommenderFormatException(dir + " is corrupt or truncated: " + CHECKSUM_FILE
                        + " has no checksum for " + name + "; retrain or restore it");
            }
            if (!want.equals(ArtifactStore.sha256(dir.resolve(name)))) {
                throw new RecommenderFormatException(dir + " is corrupt or truncated (checksum mismatch in " + name
                        + "); retrain or restore it");
            }
        }
    }

    private static String sha256Line(Path dir, String name) throws IOException {
        return ArtifactStore.sha256(dir.resolve(name)) + "  " + name + "\n";
    }

    private static boolean isLegacy(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(LEGACY_MAGIC.length), LEGACY_MAGIC);
        }
    }

    private static RecommenderFormatException legacy(Path file) {
        return new RecommenderFormatException(file + " is a recommender in the old single-file format (version 1);"
                + " this build reads format version " + FORMAT_VERSION + " (a DJL model directory) and cannot"
                + " convert it: " + RETRAIN);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
