package org.crsaug.data.export;

import java.util.List;
import java.util.function.Function;
import org.crsaug.data.dataset.Datasets;
import org.crsaug.platform.config.ConfigException;

/** The formats of {@code crs export labels}; a dataset's own format only for that dataset. */
public enum ExportFormat {
    jsonl(null, JsonlLabels::files),
    fnscrs(null, FnscrsLabels::files),
    redial(Datasets.REDIAL, RedialLines::files),
    inspired(Datasets.INSPIRED, InspiredLines::files);

    private final String onlyFor;
    private final Function<LabelSnapshot, List<ExportFile>> writer;

    ExportFormat(String onlyFor, Function<LabelSnapshot, List<ExportFile>> writer) {
        this.onlyFor = onlyFor;
        this.writer = writer;
    }

    /** Refuses a dataset's own format for another dataset, before anything is read. */
    public void requireDataset(String dataset) {
        if (onlyFor != null && !onlyFor.equals(dataset)) {
            throw new ConfigException("--format " + name() + " writes " + onlyFor + " lines, but --dataset is "
                    + dataset + "; use --format " + dataset + " (its own line format), jsonl or fnscrs");
        }
    }

    List<ExportFile> files(LabelSnapshot snapshot) {
        return writer.apply(snapshot);
    }
}
