package org.crsaug.platform.artifact;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Putting a fully written temporary file in place, so a reader never sees half a file. */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /**
     * Moves {@code written} onto {@code target}, replacing it: atomically where the file system can,
     * otherwise with a plain replace (still never a partly written target, only a brief absence).
     */
    public static void replace(Path written, Path target) throws IOException {
        try {
            Files.move(written, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(written, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
