package org.crsaug.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The data tests read, and small copies of it made at test time under target/. The synthetic data set is
 * generated (target/synthetic-data, by testdata/generate_synthetic.py, which the build runs first) so
 * data tests run, and can fail, on every clone; the real mirror ({@code crs.data.dir}, read-only, never committed) is used in addition where
 * it is present.
 */
public final class DataSlices {

    /** Set by surefire (root pom); the directory search below covers runs from an IDE. */
    static final String SYNTHETIC_PROPERTY = "crs.synthetic.data.dir";
    static final String MIRROR_PROPERTY = "crs.data.dir";
    private static final String SYNTHETIC_IN_REPOSITORY = "target/synthetic-data";

    private DataSlices() {
    }

    /** What data tests are parameterised over: the synthetic data always, then the mirror where present. */
    public static List<DataSet> dataSets() {
        List<DataSet> sets = new ArrayList<>(List.of(synthetic()));
        String mirror = System.getProperty(MIRROR_PROPERTY);
        if (mirror != null && !mirror.isBlank() && Files.isDirectory(Path.of(mirror, "inspired"))
                && Files.isDirectory(Path.of(mirror, "redial"))) {
            sets.add(new DataSet(DataSet.MIRROR, Path.of(mirror)));
        }
        return sets;
    }

    public static DataSet synthetic() {
        String configured = System.getProperty(SYNTHETIC_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return checked(Path.of(configured));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(SYNTHETIC_IN_REPOSITORY))) {
                return checked(dir.resolve(SYNTHETIC_IN_REPOSITORY));
            }
        }
        throw new IllegalStateException("No " + SYNTHETIC_IN_REPOSITORY + " above " + Path.of("").toAbsolutePath()
                + " and " + SYNTHETIC_PROPERTY + " is not set; generate it with: python3"
                + " testdata/generate_synthetic.py target/synthetic-data (mvn does it before the tests)");
    }

    /** The real data where present, else the synthetic data: for tests that run once on whichever is better. */
    public static DataSet preferred() {
        List<DataSet> sets = dataSets();
        return sets.get(sets.size() - 1);
    }

    private static DataSet checked(Path root) {
        // a missing synthetic set is a broken checkout, never a reason to skip
        if (!Files.isDirectory(root.resolve("inspired")) || !Files.isDirectory(root.resolve("redial"))) {
            throw new IllegalStateException("Synthetic data incomplete at " + root
                    + "; generate it with: python3 testdata/generate_synthetic.py target/synthetic-data"
                    + " (mvn does it before the tests)");
        }
        return new DataSet(DataSet.SYNTHETIC, root);
    }

    /** {@link #inspiredSlice(DataSet, Path, Map)} of {@link #preferred()}. */
    public static Path inspiredSlice(Path target, Map<String, Integer> linesPerSplit) throws IOException {
        return inspiredSlice(preferred(), target, linesPerSplit);
    }

    /**
     * A data directory holding inspired/ with the first lines of each split, plus the full metadata.
     *
     * @param linesPerSplit e.g. {"train": 60, "valid": 10, "test": 10}
     */
    public static Path inspiredSlice(DataSet data, Path target, Map<String, Integer> linesPerSplit)
            throws IOException {
        Path source = data.dir("inspired");
        Path dir = target.resolve("inspired");
        Files.createDirectories(dir);
        for (String meta : List.of("id2info.json", "entity2id.json")) {
            Files.copy(source.resolve(meta), dir.resolve(meta));
        }
        for (Map.Entry<String, Integer> e : linesPerSplit.entrySet()) {
            try (Stream<String> lines = Files.lines(source.resolve(e.getKey() + ".jsonl"))) {
                Files.write(dir.resolve(e.getKey() + ".jsonl"), lines.limit(e.getValue()).toList());
            }
        }
        return target;
    }

    /**
     * Adds redial/ to a data directory: the full item list and metadata, the first lines of the original-format
     * training file and of the test file (no merged-turns file).
     */
    public static Path redialSlice(DataSet data, Path target, int trainLines, int testLines) throws IOException {
        Path source = data.dir("redial");
        Path dir = target.resolve("redial");
        Files.createDirectories(dir);
        for (String meta : List.of("movies_with_mentions.csv", "id2info.json")) {
            Files.copy(source.resolve(meta), dir.resolve(meta));
        }
        for (Map.Entry<String, Integer> e : Map.of("train_data_partial.jsonl", trainLines, "test_data.jsonl",
                testLines).entrySet()) {
            try (Stream<String> lines = Files.lines(source.resolve(e.getKey()))) {
                Files.write(dir.resolve(e.getKey()), lines.limit(e.getValue()).toList());
            }
        }
        return target;
    }

    public static long lineCount(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
