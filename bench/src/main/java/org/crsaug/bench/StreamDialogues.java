package org.crsaug.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.dataset.DataDirectory;
import org.crsaug.data.dataset.DialogueBodies;
import org.crsaug.data.ingest.DialogueIntake;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.schema.Dialogue;

/**
 * The dialogues {@code crs bench stream} sends: read once from the files named (any body
 * {@link DialogueBodies} takes, resolved against the published catalogue), then sent again and again
 * under a fresh id each time, as new train dialogues, so every send is new work for the pipeline and
 * never an unchanged record it skips.
 */
final class StreamDialogues {

    /** A dialogue as sent, with the contexts the pipeline will derive from it. */
    record Fresh(Dialogue dialogue, List<String> contextIds) {
    }

    private final String dataset;
    private final List<Dialogue> templates;
    private final int withoutContexts;

    private StreamDialogues(String dataset, List<Dialogue> templates, int withoutContexts) {
        this.dataset = dataset;
        this.templates = templates;
        this.withoutContexts = withoutContexts;
    }

    /** The dataset's valid split, the default source: dialogues the platform has not trained on. */
    static Path defaultFile(CrsConfig config, String dataset) {
        Path file = DataDirectory.datasetDir(config, dataset).resolve("valid.jsonl");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("The " + dataset + " data has no valid split at " + file
                    + "; name the dialogues to stream with --file (one dialogue as JSON, a JSON list or JSON lines)");
        }
        return file;
    }

    /**
     * Parses every file; a bad record fails the benchmark with every reason, since a dialogue the
     * intake refuses would be measured as never arriving.
     */
    static StreamDialogues load(DialogueIntake intake, List<Path> files, String dataset) {
        List<Dialogue> usable = new ArrayList<>();
        int without = 0;
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("No such file: " + file.toAbsolutePath() + " (--file)");
            }
            String body;
            try {
                body = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
            }
            DialogueBodies.Parsed parsed = intake.parse(body, dataset, file.toString());
            if (!parsed.bad().isEmpty()) {
                throw new IllegalArgumentException(file + " has " + parsed.bad().size() + " bad records; fix or"
                        + " remove them (crs ingest --file " + file + " --dataset " + dataset + " lists each):\n  "
                        + parsed.bad().stream().limit(5).map(Object::toString).collect(Collectors.joining("\n  ")));
            }
            for (Dialogue d : parsed.dialogues()) {
                // a dialogue without a recommender turn naming a new item has no context: nothing to time
                if (DialogueContexts.derive(asTrain(d, d.getDialogueId().toString())).isEmpty()) {
                    without++;
                } else {
                    usable.add(d);
                }
            }
        }
        if (usable.isEmpty()) {
            throw new IllegalArgumentException("None of the " + without + " dialogues in " + files + " has a context"
                    + " (a recommender turn naming an item not named before), so none would get candidates or labels;"
                    + " name files with such dialogues in --file");
        }
        return new StreamDialogues(DialogueIntake.canonical(dataset), List.copyOf(usable), without);
    }

    /** The n-th dialogue to send under {@code tag} (the files' dialogues in turn), with an id never used before. */
    Fresh fresh(String tag, int n) {
        Dialogue d = asTrain(templates.get(n % templates.size()), dataset + ":bench-" + tag + "-" + n);
        return new Fresh(d, DialogueContexts.derive(d).stream().map(DialogueContext::contextId).toList());
    }

    private static Dialogue asTrain(Dialogue template, String id) {
        // candidates (and so labels) are made for train contexts (retriever.candidate.splits)
        return Dialogue.newBuilder(template).setDialogueId(id).setSplit("train").setSource("crs bench stream").build();
    }

    int size() {
        return templates.size();
    }

    int withoutContexts() {
        return withoutContexts;
    }

    double contextsPerDialogue() {
        return templates.stream().mapToInt(d -> DialogueContexts.derive(d).size()).average().orElse(0);
    }
}
