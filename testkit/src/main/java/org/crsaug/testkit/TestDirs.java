package org.crsaug.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where test helpers leave their files: the module's target/, so they outlive the run for a post-mortem. */
public final class TestDirs {

    private TestDirs() {
    }

    public static Path target() {
        Path target = Path.of("target");
        return Files.isDirectory(target) ? target.toAbsolutePath()
                : Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    }
}
