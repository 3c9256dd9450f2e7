package org.crsaug.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.context.EncoderText;
import org.crsaug.data.dataset.DialogueJson;
import org.crsaug.data.dataset.Utf8Text;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.CheckpointDirectory;
import org.crsaug.model.checkpoint.LoadedCheckpoint;
import org.crsaug.schema.Dialogue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "recommend", mixinStandardHelpOptions = true,
        description = "Print the top-k items a checkpoint recommends after a dialogue given as JSON.",
        footer = {"", "Examples:", "  crs recommend --dialogue dialogue.json",
                "  echo '{\"dialogueId\":\"x\",\"turns\":[{\"role\":\"SEEKER\",\"text\":\"a scary movie please\"}]}' \\",
                "      | crs recommend --dialogue - --dataset inspired --top 5"})
final class RecommendCommand implements Callable<Integer> {

    @Option(names = "--dialogue", required = true, paramLabel = "FILE",
            description = "The dialogue so far, in the simple JSON format or a ReDial/INSPIRED line; '-' reads stdin.")
    String dialogue;

    @Option(names = "--checkpoint", defaultValue = "best", paramLabel = "ID",
            description = "Checkpoint id, or 'best' by validation recall (default ${DEFAULT-VALUE}).")
    String checkpointId;

    @Option(names = "--dataset", defaultValue = "inspired", description = "Dataset whose catalogue the dialogue uses (default ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--top", defaultValue = "10", description = "How many items (default ${DEFAULT-VALUE}).")
    int top;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        CrsConfig config = options.load(Map.of());
        String json = dialogue.equals("-") ? Utf8Text.decode(System.in.readAllBytes(), "standard input")
                : Utf8Text.readFile(Path.of(dialogue));
        Logging.toFile(config);
        try (Platform platform = Platform.start(config);
                LoadedCheckpoint model = LoadedCheckpoint.open(CheckpointDirectory.resolve(platform, checkpointId, dataset));
                CheckpointInputs inputs = new CheckpointInputs(platform, model)) {
            Dialogue d = DialogueJson.parse(json, model.checkpoint().getDataset(), inputs.titles::lookup);
            // the same text the retriever encodes for training contexts
            DialogueContext now = DialogueContexts.current(d.getDialogueId(), d.getDataset(), d.getTurns());
            String text = EncoderText.fromConfig(config).of(now, inputs.items);
            float[] vector = inputs.encoder.encodeQueries(List.of(text))[0];
            System.out.println("checkpoint " + model.checkpoint().getCheckpointId());
            int rank = 1;
            for (LoadedCheckpoint.Recommendation r : model.recommend(vector, now.mentionedInOrder(), top)) {
                System.out.printf(Locale.ROOT, "%2d. %-50s %8.3f  %s%n", rank++, inputs.title(r.itemId()), r.score(),
                        r.itemId());
            }
        }
        return 0;
    }
}
