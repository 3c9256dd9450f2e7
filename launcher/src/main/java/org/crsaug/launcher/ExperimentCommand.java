package org.crsaug.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.data.dataset.DataDirectory;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.launcher.experiment.ExperimentPlan;
import org.crsaug.launcher.experiment.ExperimentReport;
import org.crsaug.launcher.experiment.ExperimentRunner;
import org.crsaug.scorer.Judges;
import org.crsaug.scorer.semantic.SemanticScoring;
import org.crsaug.launcher.experiment.ExperimentSimulations;
import org.crsaug.launcher.experiment.SeedSimulations;
import org.crsaug.model.simulate.SeekerSimulator;
import org.crsaug.model.simulate.Seekers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Compare training modes, backbones, label variants, alpha and data size over several seeds,"
                + " with paired significance tests; writes a Markdown and HTML report with plots.",
        footer = {"", "Examples:", "  crs experiment --dataset inspired --seeds 5",
                "  crs experiment --dataset inspired --seeds 2 --alphas 0,0.2 --sizes 0.5,1",
                "  crs experiment --dataset redial --backbones semantic,hybrid --catalogues metadata,all"
                        + " --alphas none --sizes none --no-self-distillation",
                "  crs experiment --dataset redial --label-variant no-scorer=scorer.judge=retrieval-only",
                "  crs experiment --dataset inspired --modes baseline,two-stage --alphas none --sizes none"
                        + " --label-variant redial-knowledge=trainer.pretrain.extra.dataset=redial",
                "  crs experiment --dataset inspired --seeds 5 --simulate --alphas 0,0.2,0.4,0.6 --sizes none"})
final class ExperimentCommand implements Callable<Integer> {

    @Option(names = "--dataset", defaultValue = "inspired", description = "redial or inspired (default ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--seeds", defaultValue = "5", description = "Seeds per setting (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--backbones", split = ",", description = "Recommender backbones (default: trainer.backbone).")
    List<String> backbones;

    @Option(names = "--modes", split = ",", defaultValue = "baseline,two-stage,aug-only,mix",
            description = "Training modes (default ${DEFAULT-VALUE}).")
    List<String> modes;

    @Option(names = "--alphas", split = ",", defaultValue = "0,0.1,0.2,0.4,0.8",
            description = "KL weights swept with two-stage training; 'none' to skip (default ${DEFAULT-VALUE}).")
    List<String> alphas;

    @Option(names = "--sizes", split = ",", defaultValue = "0.25,0.5,0.75,1",
            description = "Shares of augmented labels swept with two-stage training; 'none' to skip (default ${DEFAULT-VALUE}).")
    List<String> sizes;

    @Option(names = "--label-variant", paramLabel = "NAME=KEY=VALUE[;KEY=VALUE]",
            description = "An extra way of making labels, run in its own topic namespace. Repeatable. By default the"
                    + " configured judge is compared with the retrieval-only judge (the 'without scorer' ablation)."
                    + " trainer.pretrain.extra.dataset=redial also pre-trains on ReDial's dialogues mapped into"
                    + " INSPIRED's catalogue.")
    List<String> labelVariants = new ArrayList<>();

    @Option(names = "--self-distillation", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also use the baseline recommender as the retriever, judged and trained the same way"
                    + " (default ${DEFAULT-VALUE}; --no-self-distillation skips it).")
    boolean selfDistillation;

    @Option(names = "--catalogues", split = ",", paramLabel = "metadata|all",
            description = "Item catalogues to repeat the comparisons under: 'metadata' (items with descriptive"
                    + " metadata, as the method's tables) and/or 'all' (every title); the sweeps use the first"
                    + " (default: the configured catalogue).")
    List<String> catalogues;

    @Option(names = "--bootstrap", defaultValue = "2000", description = "Bootstrap resamples (default ${DEFAULT-VALUE}).")
    int bootstrap;

    @Option(names = "--semantic-score", paramLabel = "JUDGE",
            description = "Also report S@10 and S@50 of every model: the mean relevance (0-4) this judge, llm or"
                    + " student, gives its top items on the test split, through the judge's cache (default: not measured).")
    String semanticJudge;

    @Option(names = "--out", paramLabel = "DIR", description = "Report directory (default reports/<dataset>-<time>).")
    Path out;

    @Option(names = "--timeout-minutes", defaultValue = "120", description = "Give up labelling after this long (default ${DEFAULT-VALUE}).")
    int timeoutMinutes;

    @Option(names = "--simulate", description = "Also evaluate every model with the user simulator (simulator.kind,"
            + " simulator.turns; see crs simulate) and write simulator.md beside the report. Each seed's models are"
            + " simulated as soon as that seed is trained; a simulation already on the topic is reused.")
    boolean simulate;

    @Option(names = "--resimulate", description = "With --simulate: run every simulation again even when the episodes"
            + " topic already holds it from an earlier experiment.")
    boolean resimulate;

    @Option(names = "--retrain", description = "Train every model again, even one whose checkpoint an earlier"
            + " experiment published from the same data and settings (by default that checkpoint is reused, so a"
            + " grid run again or resumed after a stop trains only what it lacks).")
    boolean retrain;

    @Mixin
    ConfigOptions options;

    /** --modes as modes; a name that is none is a flag to fix. */
    private List<TrainingMode> modes() {
        try {
            return modes.stream().map(TrainingMode::parse).toList();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--modes: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        CrsConfig config = options.load(BatchJobSettings.experiment(dataset));
        SettingsCheck.before(config, SettingsCheck.PIPELINE);
        if (semanticJudge != null) {
            Judges.checkSemanticScoreJudge(config, semanticJudge, System.getenv());
        }
        if (simulate) {
            Seekers.checkSettings(config, System.getenv());
        }
        // the flags first: they are the likelier typo, and need no data to be checked
        ExperimentPlan plan = new ExperimentPlan(dataset, seeds,
                backbones == null ? List.of(config.get("trainer.backbone")) : backbones,
                modes(), numbers(alphas), numbers(sizes),
                variants(config), catalogues == null ? List.of(config.get("catalogue")) : catalogues, bootstrap);
        // a variant that borrows the other dataset's dialogues is checked with the flags, then its data
        ExperimentRunner.checkExtraDatasets(config, plan);
        DataDirectory.datasetDir(config, dataset);
        Path dir = out != null ? out : Path.of(config.get("report.dir", "reports"),
                dataset + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Logging.toFile(config);
        try (Platform platform = Platform.startExclusive(config)) {
            platform.ensureTopics();
            // one judge and one cache (the base namespace's) for every label variant: the same test contexts
            // and items are judged once whichever variant trained the model
            try (SemanticScoring semantic = semanticJudge == null ? null
                    : SemanticScoring.open(platform, semanticJudge, System.getenv())) {
                String judge = semantic == null ? null : semantic.judgeDescription();
                try (SeekerSimulator seeker = simulate ? Seekers.create(config, System.getenv(), platform) : null;
                        SeedSimulations simulations = seeker == null ? null : new SeedSimulations(platform, seeker,
                                config.getInt("simulator.turns"), System.out, !resimulate, dir)) {
                    ExperimentRunner.Outcome outcome = new ExperimentRunner(platform, System.out)
                            .semanticScores(semantic)
                            .reuseCheckpoints(!retrain)
                            .afterEachSeed(partial -> {
                                writeQuietly(partial, judge, dir);
                                if (simulations != null) {
                                    // simulated while the next seed trains, so a stopped grid keeps them
                                    simulations.afterSeed(partial);
                                }
                            })
                            .run(plan, Duration.ofMinutes(timeoutMinutes));
                    Path html = new ExperimentReport(outcome, judge).write(dir);
                    System.out.println("report: " + html.toAbsolutePath());
                    System.out.println("        " + dir.resolve("report.md").toAbsolutePath());
                    if (simulations != null) {
                        Path page = simulations.all(outcome).write(dir);
                        System.out.println("        " + page.toAbsolutePath());
                        System.out.println("        " + dir.resolve("simulator.md").toAbsolutePath());
                    }
                }
            }
        }
        return 0;
    }

    /** A partial report is a convenience: failing to write one must not stop the experiment. */
    private static void writeQuietly(ExperimentRunner.Outcome partial, String semanticJudge, Path dir) {
        try {
            new ExperimentReport(partial, semanticJudge).write(dir);
        } catch (IOException | RuntimeException e) {
            System.err.println("could not write the partial report to " + dir + ": " + e.getMessage());
        }
    }

    private static List<Double> numbers(List<String> values) {
        if (values.size() == 1 && values.get(0).equalsIgnoreCase("none")) {
            return List.of();
        }
        try {
            return values.stream().map(String::trim).map(Double::parseDouble).toList();
        } catch (NumberFormatException e) {
            throw new ConfigException("Expected comma-separated numbers, got " + values);
        }
    }

    private List<ExperimentPlan.LabelVariant> variants(CrsConfig config) {
        List<ExperimentPlan.LabelVariant> out = new ArrayList<>();
        out.add(new ExperimentPlan.LabelVariant(config.get("scorer.judge"), Map.of()));
        if (labelVariants.isEmpty() && !config.get("scorer.judge").equals("retrieval-only")) {
            out.add(new ExperimentPlan.LabelVariant("no-scorer", Map.of("scorer.judge", "retrieval-only")));
        }
        if (selfDistillation) {
            out.add(ExperimentRunner.selfDistillation());
        }
        for (String v : labelVariants) {
            int eq = v.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--label-variant expects NAME=KEY=VALUE[;KEY=VALUE], got '" + v + "'");
            }
            Map<String, String> overrides = new LinkedHashMap<>();
            for (String kv : v.substring(eq + 1).split(";")) {
                int e = kv.indexOf('=');
                if (e <= 0) {
                    throw new ConfigException("--label-variant setting '" + kv + "' is not KEY=VALUE");
                }
                overrides.put(kv.substring(0, e).trim(), kv.substring(e + 1).trim());
            }
            CrsConfig.check(overrides, "--label-variant " + v.substring(0, eq).trim());
            out.add(new ExperimentPlan.LabelVariant(v.substring(0, eq).trim(), overrides));
        }
        return out;
    }
}
