package org.crsaug.data.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.schema.OffsetRange;

/**
 * {@code crs export labels}: the augmented data of one checkpoint's lineage in one format, plus
 * {@code manifest.json} (checkpoint, offsets read, files and their line counts). Nothing in the files depends on
 * when the export ran, so the same checkpoint always gives the same bytes.
 */
public final class LabelExport {

    public static final String MANIFEST = "manifest.json";

    /** What was written: the checkpoint it is pinned to, the labelled contexts, and each file with its lines. */
    public record Result(String checkpointId, int contexts, int augmentedItems, List<ExportFile> files) {
    }

    private LabelExport() {
    }

    /** The files an export consists of, without writing them. */
    public static Result render(LabelSnapshot snapshot, ExportFormat format) {
        List<ExportFile> files = new ArrayList<>(format.files(snapshot));
        files.add(new ExportFile(MANIFEST, List.of(manifest(snapshot, format, files))));
        int items = snapshot.contexts().stream().mapToInt(c -> c.labels().getLabels().size()).sum();
        return new Result(snapshot.checkpoint().getCheckpointId(), snapshot.contexts().size(), items,
                List.copyOf(files));
    }

    /**
     * Checks the output directory, reads the lineage of {@code checkpointId} (null: the dataset's newest
     * checkpoint) and writes the files there.
     */
    public static Result export(Platform platform, String dataset, ExportFormat format, String checkpointId,
            Path outDir, boolean force) {
        check(dataset, format, outDir, force);
        Result result = render(LabelSnapshot.read(platform, dataset, checkpointId), format);
        ExportDirectory.write(outDir, result.files());
        return result;
    }

    /** Every check that needs no broker: a bad flag is refused before one is started or attached to. */
    public static void check(String dataset, ExportFormat format, Path outDir, boolean force) {
        LabelSnapshot.requireKnown(dataset);
        format.requireDataset(dataset);
        ExportDirectory.prepare(outDir, force);
    }

    private static String manifest(LabelSnapshot snapshot, ExportFormat format, List<ExportFile> files) {
        ObjectNode o = LabelJson.NODES.objectNode();
        o.put("checkpointId", snapshot.checkpoint().getCheckpointId());
        o.put("dataset", snapshot.dataset());
        o.put("format", format.name());
        o.put("labelledContexts", snapshot.contexts().size());
        ObjectNode lines = o.putObject("files");
        files.forEach(f -> lines.put(f.name(), f.lines().size()));
        ArrayNode ranges = o.putArray("inputRanges");
        for (OffsetRange r : snapshot.checkpoint().getInputRanges()) {
            ranges.addObject().put("topic", r.getTopic()).put("partition", r.getPartition())
                    .put("fromOffset", r.getFromOffset()).put("untilOffset", r.getUntilOffset());
        }
        return LabelJson.line(o);
    }
}
