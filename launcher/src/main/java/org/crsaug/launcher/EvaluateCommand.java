package org.crsaug.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.dataset.DialogueJson;
import org.crsaug.data.dataset.Lines;
import org.crsaug.data.state.PipelineState;
import org.crsaug.model.checkpoint.CollaborativeModel;
import org.crsaug.model.eval.CollaborativeScore;
import org.crsaug.model.eval.RecallMetrics;
import org.crsaug.model.recommender.EvalContext;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.CheckpointDirectory;
import org.crsaug.model.training.ExampleSets;
import org.crsaug.model.checkpoint.LoadedCheckpoint;
import org.crsaug.data.context.RetrievalText;
import org.crsaug.schema.Dialogue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint on any file of dialogues in the ReDial or INSPIRED line format (or the"
                + " simple JSON format, one per line), under the strict and the lenient protocol:"
                + " recall and CS@10/50 (docs/metrics.md).",
        footer = {"", "Examples:", "  crs evaluate --checkpoint best --file ../shared/data/inspired/test.jsonl",
                "  crs evaluate --checkpoint redial-r1-two-stage-semantic-1a2b3c4d --file my_dialogues.jsonl"})
final class EvaluateCommand implements Callable<Integer> {

    private static final int[] KS = {1, 10, 50};

    @Option(names = "--checkpoint", defaultValue = "best", paramLabel = "ID",
            description = "Checkpoint id, or 'best' by validation recall (default ${DEFAULT-VALUE}).")
    String checkpointId;

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "One dialogue per line.")
    Path file;

    @Option(names = "--dataset", description = "Only for --checkpoint best: whose best checkpoint.")
    String dataset;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        CrsConfig config = options.load(Map.of());
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(Files.isDirectory(file) ? file + " is a directory; name a file"
                    : "No such file: " + file.toAbsolutePath());
        }
        // a line that is not UTF-8 is skipped and reported like any other bad line, not the end of the run
        Map<Long, String> lines = new java.util.TreeMap<>();
        Map<Long, String> notUtf8 = new java.util.TreeMap<>();
        Lines.forEach(file, lines::put, (n, why, raw) -> notUtf8.put(n, why));
        Logging.toFile(config);
        try (Platform platform = Platform.start(config);
                LoadedCheckpoint model = LoadedCheckpoint.open(CheckpointDirectory.resolve(platform, checkpointId, dataset));
                CheckpointInputs inputs = new CheckpointInputs(platform, model)) {
            List<DialogueContext> contexts = new ArrayList<>();
            int bad = notUtf8.size();
            notUtf8.forEach((n, why) -> System.err.printf("line %d skipped: %s%n", n, why));
            for (Map.Entry<Long, String> line : lines.entrySet()) {
                if (line.getValue().isBlank()) {
                    continue;
                }
                try {
                    Dialogue d = DialogueJson.parse(line.getValue(), model.checkpoint().getDataset(),
                            inputs.titles::lookup);
                    d.setDialogueId(d.getDialogueId() + "@line" + line.getKey());
                    contexts.addAll(DialogueContexts.derive(d));
                } catch (IllegalArgumentException e) {
                    bad++;
                    System.err.printf("line %d skipped: %s%n", line.getKey(), e.getMessage());
                }
            }
            int maxChars = config.getInt("retriever.context.max.chars");
            boolean enrich = config.getBoolean("retriever.context.enrich");
            List<String> texts = contexts.stream()
                    .map(c -> RetrievalText.forEncoder(c, maxChars, enrich, inputs.items)).toList();
            float[][] vectors = texts.isEmpty() ? new float[0][] : inputs.encoder.encodeQueries(texts);
            Map<String, float[]> byId = new HashMap<>();
            for (int i = 0; i < contexts.size(); i++) {
                byId.put(contexts.get(i).contextId(), vectors[i]);
            }
            ExampleSets.Skipped skipped = new ExampleSets.Skipped();
            List<EvalContext> eval = ExampleSets.evalContexts(contexts, model.catalogue(), byId::get, skipped);
            if (eval.isEmpty()) {
                throw new IllegalArgumentException("No evaluable contexts in " + file + " (" + bad + " bad lines, "
                        + skipped.labelsOutsideCatalogue + " gold items outside the catalogue)");
            }
            float[][] scores = model.score(eval.stream().map(EvalContext::context).toArray(float[][]::new),
                    eval.stream().map(EvalContext::mentioned).toArray(int[][]::new));
            System.out.printf("checkpoint %s on %s: %d contexts, %d bad lines, %d gold items outside the catalogue%n",
                    model.checkpoint().getCheckpointId(), file, eval.size(), bad, skipped.labelsOutsideCatalogue);
            float[][] collaborative = collaborativeLogits(config, platform, model, eval);
            for (RecallMetrics.Protocol p : RecallMetrics.Protocol.values()) {
                Map<String, Double> m = RecallMetrics.compute(scores, eval, p, KS);
                System.out.printf(Locale.ROOT, "%-8s R@1 %6.2f  R@10 %6.2f  R@50 %6.2f  (%d pairs)%s%n",
                        p.name().toLowerCase(Locale.ROOT), 100 * m.get("recall@1"), 100 * m.get("recall@10"),
                        100 * m.get("recall@50"), m.get("pairs").intValue(), collaborative == null ? ""
                                : collaborativeColumns(CollaborativeScore.compute(scores, eval, collaborative, p,
                                        CollaborativeScore.KS)));
            }
        }
        return 0;
    }

    /**
     * The CS@k model's logits for the contexts (the model is trained from the pipeline's training dialogues the
     * first time, which is the only time the pipeline state is read); null when CS@k is off or unavailable.
     */
    private static float[][] collaborativeLogits(CrsConfig config, Platform platform, LoadedCheckpoint model,
            List<EvalContext> eval) {
        if (!config.getBoolean("evaluator.collaborative.score")) {
            return null;
        }
        List<PipelineState> opened = new ArrayList<>();
        Supplier<PipelineState> state = () -> {
            PipelineState s = new PipelineState(platform, "crs-evaluate");
            opened.add(s);
            s.catchUp(Duration.ofMinutes(5));
            return s;
        };
        try (CollaborativeModel cf = CollaborativeModel.obtain(state, config, model.checkpoint().getDataset())) {
            return cf.logits(model.catalogue(), eval);
        } catch (IllegalStateException e) {
            System.err.println("no CS@k: " + e.getMessage());
            return null;
        } finally {
            opened.forEach(PipelineState::close);
        }
    }

    private static String collaborativeColumns(Map<String, Double> cs) {
        return String.format(Locale.ROOT, "  CS@10 %s  CS@50 %s  (%d contexts with mentions)", number(cs.get("cs@10")),
                number(cs.get("cs@50")), cs.get("cs_contexts").intValue());
    }

    private static String number(Double d) {
        return d == null ? "—" : String.format(Locale.ROOT, "%.2f", d);
    }
}
