package org.crsaug.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.data.dataset.DataDirectory;
import org.crsaug.data.dataset.DialogueJson;
import org.crsaug.data.dataset.TitleIndex;
import org.crsaug.data.ingest.Ingestor;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.schema.Dialogue;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Publish a dataset, or one new dialogue, to the items and dialogues topics.",
        footer = {"", "Examples:", "  crs ingest --dataset inspired",
                "  crs ingest --file dialogue.json --dataset inspired",
                "  cat dialogue.json | crs ingest --file - --dataset redial"})
final class IngestCommand implements Callable<Integer> {

    @Option(names = "--dataset", required = true, description = "redial or inspired.")
    String dataset;

    @Option(names = "--file", paramLabel = "FILE", description = "One dialogue as JSON ('-' reads stdin) instead of the whole dataset.")
    String file;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws IOException {
        CrsConfig config = options.load(Map.of());
        if (file == null) {
            DataDirectory.datasetDir(config, dataset);
        }
        Logging.toFile(config);
        try (Platform platform = Platform.start(config)) {
            platform.ensureTopics();
            try (Ingestor ingestor = new Ingestor(platform)) {
                if (file == null) {
                    Ingestor.Report r = ingestor.ingestDataset(dataset, DataDirectory.datasetDir(config, dataset));
                    System.out.printf("%d items (%d published), %d dialogues (%d published), %d bad lines sent to dead-letters%n",
                            r.itemsRead(), r.itemsPublished(), r.dialoguesRead(), r.dialoguesPublished(), r.failures());
                } else {
                    String json = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                            : Files.readString(Path.of(file));
                    TitleIndex titles = TitleIndex.of(ingestor.knownItems().values().stream()
                            .filter(i -> i.getDataset().equals(dataset)).toList());
                    Dialogue d = DialogueJson.parse(json, dataset, titles::lookup);
                    boolean sent = ingestor.publishDialogue(d);
                    System.out.println(sent ? "published dialogue " + d.getDialogueId()
                            : "dialogue " + d.getDialogueId() + " is already published unchanged");
                }
            }
        }
        return 0;
    }
}
