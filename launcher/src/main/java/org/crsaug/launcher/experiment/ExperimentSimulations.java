package org.crsaug.launcher.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.crsaug.launcher.experiment.ReportPage.Table;
import org.crsaug.model.encoder.RememberingEncoder;
import org.crsaug.model.eval.Significance;
import org.crsaug.model.simulate.SeekerSimulator;
import org.crsaug.model.simulate.Simulation;
import org.crsaug.model.simulate.SimulationEpisodes;
import org.crsaug.model.simulate.SimulationJob;
import org.crsaug.model.simulate.SimulationSummary;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.CheckpointDirectory;
import org.crsaug.schema.SimulatedTurn;
import org.crsaug.schema.SimulationEpisode;

/**
 * {@code crs experiment --simulate}: every model of the grid evaluated again under the user
 * simulator, next to its offline numbers. Per setting: the end recall under the simulator (mean and
 * standard deviation over seeds), its difference to the baseline with a paired bootstrap over the
 * seeds and episodes, and the offline difference beside it, so the method's prediction (a larger gain
 * under the simulator) can be read off one row; and the alpha sweep offline and simulated on one plot
 * (the paper's Figure 3b). Written to {@code simulator.md}/{@code .html} beside the experiment's report.
 */
public final class ExperimentSimulations {

    private static final String PLOT = "recall-vs-alpha-offline-and-simulator.png";
    /** Every model's best rank of the target in every episode, written beside the page. */
    static final String RANKS_CSV = "simulator-ranks.csv";

    /**
     * One model under the simulator.
     *
     * @param bestRanks 0-based best rank of the target over the turns, per episode (invalid ones never hit),
     *                  aligned across runs of one catalogue
     */
    public record Run(RunResult run, SimulationSummary summary, int[] bestRanks) {
    }

    private final ExperimentRunner.Outcome outcome;
    private final List<Run> runs;
    private final int turns;
    private final String simulatorVersion;

    ExperimentSimulations(ExperimentRunner.Outcome outcome, List<Run> runs, int turns, String simulatorVersion) {
        this.outcome = outcome;
        this.runs = runs;
        this.turns = turns;
        this.simulatorVersion = simulatorVersion;
    }

    /**
     * Simulates the checkpoint of every run of the experiment, each in its label variant's namespace. A
     * simulation whose every episode is already on the topic (same checkpoint, seeker version and turns) is read
     * back instead of run again when {@code reuse} is set, or when this experiment made it itself (it is called
     * after every seed, then once more at the end); so a long grid that was stopped resumes where it stopped.
     *
     * @param madeHere the simulation ids this experiment has run so far; the ones run now are added
     * @param encoders the experiment's query encoders, which remember the texts of its earlier calls
     */
    public static ExperimentSimulations simulate(Platform platform, ExperimentRunner.Outcome outcome,
            SeekerSimulator seeker, int turns, PrintStream out, boolean reuse, Set<String> madeHere,
            SimulatorEncoders encoders) {
        List<Run> done = new ArrayList<>();
        Map<String, Run> byCheckpoint = new LinkedHashMap<>();
        for (ExperimentPlan.LabelVariant variant : outcome.plan().labelVariants()) {
            List<RunResult> mine = outcome.runs().stream().filter(r -> r.variant().equals(variant.name())).toList();
            if (mine.isEmpty()) {
                continue;
            }
            try (Platform vp = ExperimentRunner.variantPlatform(platform, variant)) {
                RememberingEncoder encoder = encoders.of(variant.name(), vp);
                long[] before = encoder.counts();
                Map<String, org.crsaug.schema.Checkpoint> checkpoints = new LinkedHashMap<>();
                CheckpointDirectory.all(vp).forEach(c -> checkpoints.put(c.getCheckpointId(), c));
                Set<String> reusable = new HashSet<>();
                for (RunResult r : mine) {
                    String id = Simulation.simulationId(new Simulation.Settings(r.checkpointId(),
                            outcome.plan().dataset(), turns), seeker);
                    if (reuse || madeHere.contains(id)) {
                        reusable.add(id);
                    }
                }
                // one pass over the topic for every simulation this call may reuse
                Map<String, Map<String, SimulationEpisode>> earlier = reusable.isEmpty() ? Map.of()
                        : SimulationEpisodes.read(vp, reusable);
                for (RunResult r : mine) {
                    // the same model listed under two comparisons (two-stage at the default alpha) is simulated once
                    Run known = byCheckpoint.get(r.checkpointId());
                    if (known == null) {
                        org.crsaug.schema.Checkpoint cp = checkpoints.get(r.checkpointId());
                        if (cp == null) {
                            throw new IllegalStateException("Checkpoint " + r.checkpointId() + " of label variant "
                                    + variant.name() + " is not on " + vp.config().topic(
                                    org.crsaug.platform.topic.Topics.CHECKPOINTS));
                        }
                        SimulationJob.Outcome o = SimulationJob.run(vp, cp, seeker, turns, encoder,
                                id -> earlier.getOrDefault(id, Map.of()));
                        madeHere.add(o.result().simulationId());
                        known = new Run(r, o.summary(), bestRanks(o.result().episodes()));
                        byCheckpoint.put(r.checkpointId(), known);
                        out.printf(Locale.ROOT, "   %s %s: R@1 %5.2f R@10 %5.2f R@50 %5.2f after %d turns"
                                + " (%d episodes, %.0f s)%n", o.reused() ? "reused the simulation of" : "simulated",
                                r.checkpointId(), 100 * o.summary().finalRecall(0),
                                100 * o.summary().finalRecall(1), 100 * o.summary().finalRecall(2), turns,
                                o.summary().episodes(), o.seconds());
                    }
                    done.add(new Run(r, known.summary(), known.bestRanks()));
                }
                long[] after = encoder.counts();
                out.printf(Locale.ROOT, "   simulator texts of label variant %s: %d encoded, %d remembered from an earlier"
                        + " checkpoint%n", variant.name(), after[1] - before[1], after[0] - before[0]);
            }
        }
        return new ExperimentSimulations(outcome, done, turns, seeker.version());
    }

    static int[] bestRanks(List<SimulationEpisode> episodes) {
        return episodes.stream().mapToInt(e -> e.getValid() ? e.getTurns().stream()
                .mapToInt(SimulatedTurn::getTargetRank).min().orElse(Integer.MAX_VALUE) - 1 : Integer.MAX_VALUE)
                .toArray();
    }

    /** Every simulated run, a model listed under two comparisons once per listing. */
    List<Run> runs() {
        return runs;
    }

    /** One setting over its seeds, under the simulator and offline. */
    record Row(RunResult first, int seeds, int episodes, double[][] meanStd, double meanTurns10,
            Significance.Result sim10, Significance.Result sim50, Significance.Result offline10,
            Significance.Result offline50, Significance.Sources[] simSources) {
    }

    List<Row> rows() {
        Map<String, List<Run>> groups = new LinkedHashMap<>();
        for (Run r : runs) {
            RunResult x = r.run();
            groups.computeIfAbsent(String.join("\u0000", x.variant(), x.catalogue(), x.backbone(), x.group(),
                    x.setting()), k -> new ArrayList<>()).add(r);
        }
        int resamples = outcome.plan().bootstrapResamples();
        List<Row> out = new ArrayList<>();
        for (List<Run> group : groups.values()) {
            group.sort(Comparator.comparingLong(r -> r.run().seed()));
            RunResult first = group.get(0).run();
            double[][] meanStd = new double[Simulation.KS.length][];
            for (int j = 0; j < Simulation.KS.length; j++) {
                int jj = j;
                meanStd[j] = ExperimentReport.meanStd(group.stream().mapToDouble(r -> r.summary().finalRecall(jj))
                        .toArray());
            }
            double turns10 = group.stream().mapToDouble(r -> r.summary().meanTurns()[1]).filter(d -> !Double.isNaN(d))
                    .average().orElse(Double.NaN);
            List<Run> baseline = runs.stream().filter(r -> r.run().variant().equals(first.variant())
                    && r.run().catalogue().equals(first.catalogue()) && r.run().backbone().equals(first.backbone())
                    && r.run().group().equals(ExperimentRunner.GROUP_MODES) && r.run().setting().equals("baseline"))
                    .sorted(Comparator.comparingLong(r -> r.run().seed())).toList();
            boolean isBaseline = first.group().equals(ExperimentRunner.GROUP_MODES) && first.setting().equals("baseline");
            Significance.Result[] d = new Significance.Result[4];
            Significance.Sources[] simSources = new Significance.Sources[2];
            if (!isBaseline && baseline.size() == group.size()) {
                if (group.get(0).bestRanks().length > 0) {
                    int[][] mine = bySeed(group, true);
                    int[][] theirs = bySeed(baseline, true);
                    d[0] = Significance.recallDifference(mine, theirs, 10, resamples, 11);
                    d[1] = Significance.recallDifference(mine, theirs, 50, resamples, 51);
                    simSources = ExperimentReport.sources(mine, theirs);
                }
                if (first.ranks().length > 0) {
                    int[][] mine = bySeed(group, false);
                    int[][] theirs = bySeed(baseline, false);
                    d[2] = Significance.recallDifference(mine, theirs, 10, resamples, 11);
                    d[3] = Significance.recallDifference(mine, theirs, 50, resamples, 51);
                }
            }
            out.add(new Row(first, group.size(), group.get(0).bestRanks().length, meanStd, turns10, d[0], d[1], d[2],
                    d[3], simSources));
        }
        return out;
    }

    /** Each seed's ranks (simulated or offline), in seed order: the bootstrap resamples the seeds and the episodes. */
    private static int[][] bySeed(List<Run> runs, boolean simulated) {
        return runs.stream().map(r -> simulated ? r.bestRanks() : r.run().ranks()).toArray(int[][]::new);
    }

    private List<Table> tables(List<Row> rows) {
        String[] header = {"label variant", "catalogue", "backbone", "group", "setting", "seeds", "episodes",
            "sim R@1", "sim R@10", "sim R@50", "mean turns to top 10", "Δ sim R@10 [95% CI] (p)",
            "Δ sim R@50 [95% CI] (p)", "Δ offline R@10 [95% CI] (p)", "Δ offline R@50 [95% CI] (p)"};
        List<String[]> modes = new ArrayList<>();
        List<String[]> sweeps = new ArrayList<>();
        for (Row r : rows) {
            RunResult f = r.first();
            List<String> cells = new ArrayList<>(List.of(f.variant(), f.catalogue(), f.backbone(), f.group(),
                    f.setting(), String.valueOf(r.seeds()), String.valueOf(r.episodes())));
            for (double[] ms : r.meanStd()) {
                cells.add(String.format(Locale.ROOT, "%.2f ± %.2f", 100 * ms[0], 100 * ms[1]));
            }
            cells.add(Double.isNaN(r.meanTurns10()) ? "—" : String.format(Locale.ROOT, "%.2f", r.meanTurns10()));
            for (Significance.Result s : new Significance.Result[] {r.sim10(), r.sim50(), r.offline10(), r.offline50()}) {
                cells.add(s == null ? "—" : String.format(Locale.ROOT, "%+.2f [%+.2f, %+.2f] (p=%.3f)",
                        100 * s.difference(), 100 * s.lower95(), 100 * s.upper95(), s.pValue()));
            }
            (f.group().equals(ExperimentRunner.GROUP_MODES) ? modes : sweeps).add(cells.toArray(String[]::new));
        }
        List<String[]> sources = new ArrayList<>();
        for (Row r : rows) {
            if (r.simSources()[0] != null) {
                RunResult f = r.first();
                sources.add(new String[] {f.variant(), f.catalogue(), f.backbone(), f.group(), f.setting(),
                        String.valueOf(r.seeds()), ExperimentReport.sourcesCell(r.simSources()[0]),
                        ExperimentReport.sourcesCell(r.simSources()[1])});
            }
        }
        return List.of(new Table("Training schemes under the user simulator, beside their offline differences", header,
                modes), new Table("Sweeps under the user simulator", header, sweeps),
                ExperimentReport.sourcesTable("Where each simulator difference's uncertainty comes from (in recall"
                        + " points)", sources));
    }

    private String intro() {
        return String.format(Locale.ROOT, "Dataset %s, test split, user simulator %s, %d turns (turn 1 is the real"
                + " dialogue; see crs simulate). sim R@k is the share of episodes whose target reached the top k by the"
                + " last turn, mean ± standard deviation over seeds. Δ sim is the difference to the baseline of the same"
                + " label variant, catalogue and backbone, with its 95%% interval and p from a two-sided paired"
                + " bootstrap (%d resamples) that, with several seeds, resamples the seeds and the episodes independently"
                + " (a crossed bootstrap: the interval holds how much the result moves when the models are trained again,"
                + " not only on other episodes); Δ offline is the same for the offline strict evaluation of the same"
                + " models, for comparison.", outcome.plan().dataset(), simulatorVersion,
                turns, outcome.plan().bootstrapResamples());
    }

    /** Writes simulator.md, simulator.html, the alpha plot and simulator-ranks.csv into the report directory. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Row> rows = rows();
        List<String> plots = new ArrayList<>();
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (Row r : rows) {
            if (!r.first().group().equals(ExperimentRunner.GROUP_ALPHA)) {
                continue;
            }
            double alpha = Double.parseDouble(r.first().setting());
            String prefix = r.first().variant() + " ";
            series.computeIfAbsent(prefix + "offline R@10", k -> new ArrayList<>())
                    .add(new double[] {alpha, 100 * offlineMean(r, "recall@10")});
            series.computeIfAbsent(prefix + "simulator R@10", k -> new ArrayList<>())
                    .add(new double[] {alpha, 100 * r.meanStd()[1][0]});
        }
        if (!series.isEmpty()) {
            series.values().forEach(l -> l.sort(Comparator.comparingDouble(p -> p[0])));
            LineChart.write(dir.resolve(PLOT), "Recall@10 vs alpha: offline and under the user simulator", "alpha",
                    "recall (%)", series);
            plots.add(PLOT);
        }
        String title = "Experiment under the user simulator";
        Files.writeString(dir.resolve("simulator.md"), ReportPage.markdown(title, intro(), tables(rows), plots));
        PairRankCsv.write(dir.resolve(RANKS_CSV), runs.stream().map(r -> new PairRankCsv.Ranked(r.run(),
                r.bestRanks())).toList());
        Path html = dir.resolve("simulator.html");
        Files.writeString(html, ReportPage.html(title, intro(), tables(rows), plots));
        return html;
    }

    /** {@link #write}, for a partial page written after a seed: failing to write it must not stop the experiment. */
    public void writeQuietly(Path dir) {
        try {
            write(dir);
        } catch (IOException | RuntimeException e) {
            System.err.println("could not write the partial simulator report to " + dir + ": " + e.getMessage());
        }
    }

    private double offlineMean(Row row, String metric) {
        return runs.stream().map(Run::run).filter(x -> x.variant().equals(row.first().variant())
                        && x.catalogue().equals(row.first().catalogue()) && x.backbone().equals(row.first().backbone())
                        && x.group().equals(row.first().group()) && x.setting().equals(row.first().setting()))
                .mapToDouble(x -> x.metrics().getOrDefault(metric, Double.NaN)).average().orElse(Double.NaN);
    }
}
