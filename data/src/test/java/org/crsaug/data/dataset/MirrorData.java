package org.crsaug.data.dataset;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Location of the shared read-only data mirror; tests that pin facts of the real files are skipped where it is
 * absent. Tests that hold on any data in the format take {@link #redialDirs()} instead, which always includes
 * the committed synthetic data (see {@link SyntheticDataReaderTest}).
 */
final class MirrorData {

    private MirrorData() {
    }

    /** The synthetic ReDial always, the mirror's too where it is present. */
    static Stream<Path> redialDirs() {
        Path synthetic = SyntheticDataReaderTest.synthetic("redial");
        String root = System.getProperty("crs.data.dir");
        Path mirror = root == null || root.isBlank() ? null : Path.of(root).resolve("redial");
        return mirror != null && Files.isDirectory(mirror) ? Stream.of(synthetic, mirror) : Stream.of(synthetic);
    }

    static Path dir(String dataset) {
        String root = System.getProperty("crs.data.dir");
        assumeTrue(root != null && !root.isBlank(), "crs.data.dir is not set");
        Path dir = Path.of(root).resolve(dataset);
        assumeTrue(Files.isDirectory(dir), "no data mirror at " + dir);
        return dir;
    }
}
