package org.crsaug.testkit;

import java.nio.file.Path;

/**
 * A directory holding {@code redial/} and {@code inspired/} that tests can read: the committed synthetic data
 * or the real mirror. The name is what parameterised tests show, so a failure says which data it was.
 */
public record DataSet(String name, Path root) {

    public static final String SYNTHETIC = "synthetic";
    public static final String MIRROR = "mirror";

    public Path dir(String dataset) {
        return root.resolve(dataset);
    }

    public boolean synthetic() {
        return name.equals(SYNTHETIC);
    }

    @Override
    public String toString() {
        return name;
    }
}
