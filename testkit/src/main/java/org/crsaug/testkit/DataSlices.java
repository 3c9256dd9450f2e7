package org.crsaug.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Small copies of the real datasets for tests, made at test time under target/ from the read-only
 * mirror (never committed). Tests that need data are skipped where the mirror is absent.
 */
public final class DataSlices {

    private DataSlices() {
    }

    /** The data directory given to surefire, or a skipped test when it is missing. */
    public static Path mirror() {
        String dir = System.getProperty("crs.data.dir");
        Assumptions.assumeTrue(dir != null && Files.isDirectory(Path.of(dir, "inspired")),
                "dataset mirror not found (crs.data.dir=" + dir + ")");
        return Path.of(dir);
    }

    /**
     * A data directory holding inspired/ with the first lines of each split, plus the full metadata.
     *
     * @param linesPerSplit e.g. {"train": 60, "valid": 10, "test": 10}
     */
    public static Path inspiredSlice(Path target, Map<String, Integer> linesPerSplit) throws IOException {
        Path source = mirror().resolve("inspired");
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

    public static long lineCount(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).count();
        }
    }
}
