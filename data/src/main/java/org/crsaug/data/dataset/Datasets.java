package org.crsaug.data.dataset;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.crsaug.platform.config.ConfigException;

/** Entry point that picks the reader for a dataset name. */
public final class Datasets {

    public static final String REDIAL = RedialReader.DATASET;
    public static final String INSPIRED = InspiredReader.DATASET;
    public static final List<String> NAMES = List.of(REDIAL, INSPIRED);

    private Datasets() {
    }

    public static void read(String dataset, Path datasetDir, DatasetSink sink) {
        Objects.requireNonNull(datasetDir, "datasetDir");
        Objects.requireNonNull(sink, "sink");
        switch (checkName(dataset)) {
            case REDIAL -> new RedialReader(datasetDir).read(sink);
            case INSPIRED -> new InspiredReader(datasetDir).read(sink);
            default -> throw new IllegalStateException("unreachable: " + dataset);
        }
    }

    /** @return the canonical (lower-case) name; an unknown name is refused, naming the known ones */
    public static String checkName(String dataset) {
        String name = dataset == null ? "" : DataDirectory.lower(dataset);
        if (!NAMES.contains(name)) {
            throw new ConfigException("Unknown dataset '" + dataset + "'; expected one of " + String.join(", ", NAMES));
        }
        return name;
    }
}
