package org.crsaug.launcher;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.data.export.ExportFile;
import org.crsaug.data.export.ExportFormat;
import org.crsaug.data.export.JudgementExport;
import org.crsaug.data.export.LabelExport;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write augmented labels or the judgement cache to files that other trainers and people read"
                + " (docs/export.md).",
        subcommands = {ExportCommand.Labels.class, ExportCommand.Judgements.class},
        footer = {"", "Examples:", "  crs export labels --dataset inspired --format jsonl --out export/",
                "  crs export labels --dataset redial --format fnscrs --checkpoint ID --out unicrs-data/",
                "  crs export judgements --out judgements.csv"})
final class ExportCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /** {@code crs export} alone names its subcommands, as {@code crs} alone does. */
    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "labels", mixinStandardHelpOptions = true,
            description = "The augmented data of one checkpoint's lineage, read only up to the offsets the checkpoint"
                    + " recorded: the same command gives byte-identical files later, also after new data arrived.",
            footer = {"", "Formats: jsonl (one line per labelled context), fnscrs (the lines the reference UniCRS/BARCOR"
                    + " scripts train on, both stages), redial / inspired (the dataset's own lines with an added"
                    + " 'augmented' field per recommender turn).", "",
                    "Examples:", "  crs export labels --dataset inspired --format inspired --out export/",
                    "  crs export labels --dataset inspired --format jsonl --checkpoint ID --out export/ --force"})
    static final class Labels implements Callable<Integer> {

        @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "redial or inspired.")
        String dataset;

        @Option(names = "--format", required = true, paramLabel = "FORMAT",
                description = "One of: ${COMPLETION-CANDIDATES}.")
        ExportFormat format;

        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "Directory to write to; created when missing, refused when not empty unless --force.")
        Path out;

        @Option(names = "--checkpoint", paramLabel = "ID",
                description = "Checkpoint whose lineage to export (default: the dataset's newest).")
        String checkpoint;

        @Option(names = "--force", description = "Write into a directory that is not empty, replacing same-named files.")
        boolean force;

        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() {
            CrsConfig config = options.load(Map.of());
            // checked before a broker is started or attached to, or a state directory made
            LabelExport.check(dataset, format, out, force);
            Logging.toFile(config);
            try (Platform platform = Platform.start(config)) {
                platform.ensureTopics();
                LabelExport.Result r = LabelExport.export(platform, dataset, format, checkpoint, out, force);
                System.out.printf("exported %d labelled contexts (%d augmented items) of checkpoint %s to %s:%n",
                        r.contexts(), r.augmentedItems(), r.checkpointId(), out);
                for (ExportFile f : r.files()) {
                    System.out.printf("  %-32s %8d lines%n", f.name(), f.lines().size());
                }
            }
            return 0;
        }
    }

    @Command(name = "judgements", mixinStandardHelpOptions = true,
            description = "The judgement cache (model, prompt version, context, item, score), one row per cache key.",
            footer = {"", "Examples:", "  crs export judgements --out judgements.csv",
                    "  crs export judgements --out judgements.jsonl --force"})
    static final class Judgements implements Callable<Integer> {

        @Option(names = "--out", required = true, paramLabel = "FILE",
                description = "File ending in .csv or .jsonl (the extension picks the format); refused when it exists"
                        + " unless --force.")
        Path out;

        @Option(names = "--force", description = "Replace the file when it exists.")
        boolean force;

        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() {
            CrsConfig config = options.load(Map.of());
            JudgementExport.check(out, force);
            Logging.toFile(config);
            try (Platform platform = Platform.start(config)) {
                platform.ensureTopics();
                int n = JudgementExport.export(platform, out, force);
                System.out.printf("exported %d judgements to %s%n", n, out);
            }
            return 0;
        }
    }
}
