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
import org.crsaug.model.eval.PairRanks;
import org.crsaug.data.state.PipelineState;
import org.crsaug.model.checkpoint.CollaborativeModel;
import org.crsaug.model.eval.CollaborativeScore;
import org.crsaug.model.eval.RecallMetrics;
import org.crsaug.model.eval.Significance;
import org.crsaug.scorer.Judges;
import org.crsaug.scorer.semantic.SemanticScores;
import org.crsaug.scorer.semantic.SemanticScoring;
import org.crsaug.scorer.zeroshot.ZeroShotEvaluation;
import org.crsaug.scorer.zeroshot.ZeroShotRecommender;
import org.crsaug.model.recommender.EvalContext;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.CheckpointDirectory;
import org.crsaug.model.training.ExampleSets;
import org.crsaug.model.checkpoint.LoadedCheckpoint;
import org.crsaug.data.context.RetrievalText;
import org.crsaug.data.context.EncoderText;
import org.crsaug.schema.Dialogue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint on any file of dialogues in the ReDial or INSPIRED line format (or the"
                + " simple JSON format, one per line), under the strict and the lenient protocol:"
                + " recall and CS@10/50 (docs/metrics.md).",
        footer = {"", "Examples:", "  crs evaluate --checkpoint best --file ../shared/data/inspired/test.jsonl",
                "  crs evaluate --checkpoint redial-r1-two-stage-semantic-1a2b3c4d --file my_dialogues.jsonl",
                "  crs evaluate --file ../shared/data/inspired/test.jsonl --semantic-score llm",
                "  crs evaluate --file ../shared/data/inspired/test.jsonl --zero-shot"})
final class EvaluateCommand implements Callable<Integer> {

    private static final int[] KS = {1, 10, 50};
    private static final int BOOTSTRAP_RESAMPLES = ResultTable.BOOTSTRAP_RESAMPLES;

    @Option(names = "--checkpoint", defaultValue = "best", paramLabel = "ID",
            description = "Checkpoint id, or 'best' by validation recall (default ${DEFAULT-VALUE}).")
    String checkpointId;

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "One dialogue per line.")
    Path file;

    @Option(names = "--dataset", description = "Only for --checkpoint best: whose best checkpoint.")
    String dataset;

    @Option(names = "--semantic-score", paramLabel = "JUDGE",
            description = "Also report S@10 and S@50: the mean relevance (0-4) that this judge, llm or student, gives"
                    + " the checkpoint's top 10 and top 50 items of every context. Judgements go through the judge's"
                    + " cache (the judgements topic): a repeated evaluation pays nothing.")
    String semanticJudge;

    @Option(names = "--zero-shot",
            description = "Also ask the chat model of scorer.llm.* to recommend from each dialogue alone"
                    + " (prompt evaluator.zero.shot.prompt) and report its strict Recall@1/5/10 beside the"
                    + " checkpoint's on the same pairs (the method's Table 3).")
    boolean zeroShot;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        CrsConfig config = options.load(Map.of());
        // the LLM settings and keys first: a missing key should not cost the time of encoding the file
        if (semanticJudge != null) {
            Judges.checkSemanticScoreJudge(config, semanticJudge, System.getenv());
        }
        if (zeroShot) {
            ZeroShotRecommender.checkSettings(config, System.getenv());
        }
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
            EncoderText encoderText = EncoderText.fromConfig(config);
            List<String> texts = contexts.stream().map(c -> encoderText.of(c, inputs.items)).toList();
            float[][] vectors = texts.isEmpty() ? new float[0][] : inputs.encoder.encodeQueries(texts);
            Map<String, float[]> byId = new HashMap<>();
            for (int i = 0; i < contexts.size(); i++) {
                byId.put(contexts.get(i).contextId(), vectors[i]);
            }
            ExampleSets.Skipped skipped = new ExampleSets.Skipped();
            List<DialogueContext> sources = new ArrayList<>();
            List<EvalContext> eval = ExampleSets.evalContexts(contexts, model.catalogue(), byId::get, skipped, sources);
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
            if (semanticJudge != null) {
                try (SemanticScoring scoring = SemanticScoring.open(platform, semanticJudge, System.getenv())) {
                    System.out.print(semanticLine(scoring.score(model.catalogue(), sources, eval, scores,
                            inputs.encoder.id())));
                }
            }
            if (zeroShot) {
                List<String> dialogues = sources.stream().map(c -> RetrievalText.dialogue(c, encoderText.dialogueMaxChars())).toList();
                try (ZeroShotRecommender llm = ZeroShotRecommender.fromConfig(config, System.getenv())) {
                    ZeroShotEvaluation.Result zs = new ZeroShotEvaluation(model.catalogue(), inputs.items)
                            .score(llm.ask(dialogues), eval);
                    System.out.print(zeroShotLines(llm, zs, PairRanks.compute(scores, eval,
                            RecallMetrics.Protocol.STRICT)));
                }
            }
        }
        return 0;
    }

    static String semanticLine(SemanticScores.Result r) {
        return String.format(Locale.ROOT, "semantic S@10 %.2f  S@50 %.2f  (mean relevance 0-4 of the top items; judge"
                + " %s; %d contexts, %d without a usable reply, %d judgements paid, the rest from the cache)%n",
                r.meanAt().get(10), r.meanAt().get(50), r.judge(), r.contexts(), r.failed(), r.paid());
    }

    /** The zero-shot model's recall beside the checkpoint's on the same pairs, the lift with its interval, the counts. */
    static String zeroShotLines(ZeroShotRecommender llm, ZeroShotEvaluation.Result zs, int[] checkpointRanks) {
        StringBuilder sb = new StringBuilder();
        ZeroShotEvaluation.Counts n = zs.counts();
        sb.append(String.format(Locale.ROOT, "zero-shot %s (prompt %s, %d titles asked), strict protocol, %d pairs:%n",
                llm.model(), llm.promptVersion(), llm.titlesAsked(), zs.ranks().length));
        for (int k : ZeroShotEvaluation.KS) {
            double mine = PairRanks.recallAt(checkpointRanks, k);
            Significance.Result lift = Significance.pairedBootstrap(Significance.hits(checkpointRanks, k),
                    Significance.hits(zs.ranks(), k), BOOTSTRAP_RESAMPLES, 23L + k);
            sb.append(String.format(Locale.ROOT, "  R@%-2d zero-shot %6.2f  checkpoint %6.2f  checkpoint minus zero-shot %+6.2f"
                    + " [%+.2f, %+.2f], %s%n", k, 100 * zs.recall().get("recall@" + k), 100 * mine,
                    100 * lift.difference(), 100 * lift.lower95(), 100 * lift.upper95(),
                    Significance.verdict(lift, zs.ranks().length + " test pairs")));
        }
        sb.append(String.format(Locale.ROOT, "  replies: %d contexts, %d not JSON, %d empty (both count as recommending"
                + " nothing); titles: %d named, %d not in the catalogue, %d repeated, %d already mentioned (removed);"
                + " %d calls%n", n.contexts(), n.notJson(), n.empty(), n.titles(), n.unknown(), n.duplicates(),
                n.mentioned(), llm.usage().calls()));
        return sb.toString();
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
