package org.crsaug.data.dataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Location of the shared read-only data mirror. Tests that pin facts of the real files carry the tag
 * {@code mirror}, which the build runs only where the mirror is (the root pom's {@code mirror-data}
 * profile), so they never skip: where they run, a missing mirror is a failure. Tests that hold on any data in the format take {@link #redialDirs()} instead, which always includes
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
        if (root == null || root.isBlank()) {
            throw new AssertionError("crs.data.dir is not set; the build sets it (root pom, surefire)");
        }
        Path dir = Path.of(root).resolve(dataset);
        if (!Files.isDirectory(dir)) {
            throw new AssertionError("no data mirror at " + dir + "; to run without it exclude the tests that"
                    + " read it: -Dcrs.test.excluded.groups=mirror");
        }
        return dir;
    }
}
