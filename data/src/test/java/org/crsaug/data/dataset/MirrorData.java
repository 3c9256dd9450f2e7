package org.crsaug.data.dataset;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Location of the shared read-only data mirror; tests that need it are skipped where it is absent. */
final class MirrorData {

    private MirrorData() {
    }

    static Path dir(String dataset) {
        String root = System.getProperty("crs.data.dir");
        assumeTrue(root != null && !root.isBlank(), "crs.data.dir is not set");
        Path dir = Path.of(root).resolve(dataset);
        assumeTrue(Files.isDirectory(dir), "no data mirror at " + dir);
        return dir;
    }
}
