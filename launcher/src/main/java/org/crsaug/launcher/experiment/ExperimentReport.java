package org.crsaug.launcher.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.crsaug.launcher.experiment.ReportPage.Table;
import org.crsaug.model.eval.Significance;

/**
 * Turns an experiment's runs into tables (mean and standard deviation over seeds, difference to the
 * baseline with a paired bootstrap p-value) and writes them as Markdown and HTML with PNG plots.
 */
public final class ExperimentReport {

    private static final String[] METRICS = {"recall@1", "recall@10", "recall@50", "tail_recall@10",
            "tail_recall@50", "coverage@50", "cs@10", "cs@50"};
    private static final String[] HEADERS = {"R@1", "R@10", "R@50", "tail R@10", "tail R@50", "cov@50", "CS@10",
            "CS@50"};

    /** Runs that differ only by seed, summarised. */
    public record Row(String variant, String catalogue, int pairs, String backbone, String group, String setting,
            int seeds,
            Map<String, double[]> meanStd, Significance.Result vsBaseline10, Significance.Result vsBaseline50,
            List<String> checkpoints, Significance.Sources sources10, Significance.Sources sources50) {
    }

    static final String SOURCES_TITLE = "Where each difference's uncertainty comes from (in recall points; the shares"
            + " say whether more seeds or more test pairs would narrow its interval)";

    /** Every model's strict rank of every test pair, written beside the report. */
    static final String RANKS_CSV = "ranks.csv";

    /** S@k, measured when the experiment was given a judge of relevance; summarised like the recall metrics. */
    private static final String[] SEMANTIC = {"s@10", "s@50"};

    private final ExperimentRunner.Outcome outcome;
    private final List<Row> rows;
    /** The judge that gave S@k, as the report names it; null when S@k was not measured. */
    private final String semanticJudge;

    public ExperimentReport(ExperimentRunner.Outcome outcome) {
        this(outcome, null);
    }

    public ExperimentReport(ExperimentRunner.Outcome outcome, String semanticJudge) {
        this.outcome = outcome;
        this.rows = summarise(outcome);
        this.semanticJudge = semanticJudge;
    }

    public List<Row> rows() {
        return rows;
    }

    static List<Row> summarise(ExperimentRunner.Outcome outcome) {
        Map<String, List<RunResult>> groups = new LinkedHashMap<>();
        for (RunResult r : outcome.runs()) {
            groups.computeIfAbsent(String.join("\u0000", r.variant(), r.catalogue(), r.backbone(), r.group(),
                            r.setting()),
                    k -> new ArrayList<>()).add(r);
        }
        List<Row> out = new ArrayList<>();
        for (List<RunResult> runs : groups.values()) {
            runs.sort(Comparator.comparingLong(RunResult::seed));
            RunResult first = runs.get(0);
            Map<String, double[]> stats = new LinkedHashMap<>();
            for (String m : METRICS) {
                double[] v = runs.stream().mapToDouble(r -> r.metrics().getOrDefault(m, Double.NaN)).toArray();
                stats.put(m, meanStd(v));
            }
            for (String m : SEMANTIC) {
                if (runs.stream().allMatch(r -> r.metrics().containsKey(m))) {
                    stats.put(m, meanStd(runs.stream().mapToDouble(r -> r.metrics().get(m)).toArray()));
                }
            }
            List<RunResult> baseline = baselineRuns(outcome.runs(), first.variant(), first.catalogue(),
                    first.backbone());
            Significance.Result s10 = null;
            Significance.Result s50 = null;
            Significance.Sources[] sources = new Significance.Sources[2];
            boolean isBaseline = first.group().equals(ExperimentRunner.GROUP_MODES) && first.setting().equals("baseline");
            if (!isBaseline && baseline.size() == runs.size() && first.ranks().length > 0) {
                int resamples = outcome.plan().bootstrapResamples();
                int[][] mine = bySeed(runs);
                int[][] theirs = bySeed(baseline);
                s10 = Significance.recallDifference(mine, theirs, 10, resamples, 11);
                s50 = Significance.recallDifference(mine, theirs, 50, resamples, 51);
                sources = sources(mine, theirs);
            }
            out.add(new Row(first.variant(), first.catalogue(), first.ranks().length, first.backbone(), first.group(),
                    first.setting(), runs.size(), stats,
                    s10, s50, runs.stream().map(RunResult::checkpointId).toList(), sources[0], sources[1]));
        }
        return out;
    }

    private static List<RunResult> baselineRuns(List<RunResult> all, String variant, String catalogue,
            String backbone) {
        return all.stream().filter(r -> r.variant().equals(variant) && r.catalogue().equals(catalogue)
                        && r.backbone().equals(backbone)
                        && r.group().equals(ExperimentRunner.GROUP_MODES) && r.setting().equals("baseline"))
                .sorted(Comparator.comparingLong(RunResult::seed)).toList();
    }

    /** Where the uncertainty of the R@10 and R@50 differences comes from; none with one seed or one pair. */
    static Significance.Sources[] sources(int[][] mine, int[][] theirs) {
        if (mine.length < 2 || mine[0].length < 2) {
            return new Significance.Sources[2];
        }
        return new Significance.Sources[] {
            Significance.sources(Significance.hits(mine, 10), Significance.hits(theirs, 10)),
            Significance.sources(Significance.hits(mine, 50), Significance.hits(theirs, 50))};
    }

    /** A difference's standard error and the shares of its variance, e.g. "2.10 (seeds 0%, pairs 74%, cells 26%)". */
    static String sourcesCell(Significance.Sources s) {
        return s == null ? "—" : String.format(Locale.ROOT, "%.2f (seeds %.0f%%, pairs %.0f%%, cells %.0f%%)",
                100 * s.standardError(), 100 * s.seedShare(), 100 * s.pairShare(), 100 * s.cellShare());
    }

    /** The table that tells a reader whether more seeds or more test pairs would narrow an interval. */
    static Table sourcesTable(String title, List<String[]> rows) {
        return new Table(title, new String[] {"label variant", "catalogue", "backbone", "group", "setting", "seeds",
                "Δ R@10: standard error (shares of its variance)", "Δ R@50: standard error (shares of its variance)"},
                rows);
    }

    /** Each seed's ranks, in seed order: the bootstrap resamples the seeds and the pairs. */
    private static int[][] bySeed(List<RunResult> runs) {
        return runs.stream().map(RunResult::ranks).toArray(int[][]::new);
    }

    static double[] meanStd(double[] v) {
        double mean = 0;
        for (double x : v) {
            mean += x;
        }
        mean /= v.length;
        double var = 0;
        for (double x : v) {
            var += (x - mean) * (x - mean);
        }
        double std = v.length > 1 ? Math.sqrt(var / (v.length - 1)) : 0;
        return new double[] {mean, std};
    }

    /** Writes report.md, report.html, the plots and ranks.csv into the directory; returns the HTML path. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> plots = new ArrayList<>();
        if (!outcome.plan().alphas().isEmpty()) {
            LineChart.write(dir.resolve("recall-vs-alpha.png"), "Recall vs alpha (two-stage)", "alpha",
                    "recall (%)", series(ExperimentRunner.GROUP_ALPHA));
            plots.add("recall-vs-alpha.png");
        }
        if (!outcome.plan().sizes().isEmpty()) {
            LineChart.write(dir.resolve("recall-vs-data-size.png"), "Recall vs share of augmented labels",
                    "share of augmented labels", "recall (%)", series(ExperimentRunner.GROUP_SIZE));
            plots.add("recall-vs-data-size.png");
        }
        Files.writeString(dir.resolve("report.md"), markdown(plots));
        PairRankCsv.write(dir.resolve(RANKS_CSV), outcome.runs().stream()
                .map(r -> new PairRankCsv.Ranked(r, r.ranks())).toList());
        Path html = dir.resolve("report.html");
        Files.writeString(html, html(plots));
        return html;
    }

    private Map<String, List<double[]>> series(String group) {
        Map<String, List<double[]>> out = new LinkedHashMap<>();
        for (Row r : rows) {
            if (!r.group().equals(group)) {
                continue;
            }
            for (String m : new String[] {"recall@10", "recall@50"}) {
                out.computeIfAbsent(r.variant() + " " + m.replace("recall", "R"), k -> new ArrayList<>())
                        .add(new double[] {Double.parseDouble(r.setting()), 100 * r.meanStd().get(m)[0]});
            }
        }
        out.values().forEach(l -> l.sort(Comparator.comparingDouble(p -> p[0])));
        return out;
    }

    /** The tables as (title, header, rows) triples, shared by both output formats. */
    private List<Table> tables() {
        List<Table> t = new ArrayList<>();
        t.add(table("Baseline vs two-stage (the method), per label variant and backbone", r ->
                r.group().equals(ExperimentRunner.GROUP_MODES)
                        && (r.setting().equals("baseline") || r.setting().equals("two-stage"))));
        t.add(table("Training schemes: baseline, two-stage, without fine-tuning (aug-only), one-stage mix", r ->
                r.group().equals(ExperimentRunner.GROUP_MODES)));
        t.add(table("KL weight alpha in fine-tuning (two-stage)", r -> r.group().equals(ExperimentRunner.GROUP_ALPHA)));
        t.add(table("Share of augmented labels used (two-stage)", r -> r.group().equals(ExperimentRunner.GROUP_SIZE)));
        List<String[]> sourceRows = new ArrayList<>();
        for (Row r : rows) {
            if (r.sources10() != null) {
                sourceRows.add(new String[] {r.variant(), r.catalogue(), r.backbone(), r.group(), r.setting(),
                        String.valueOf(r.seeds()), sourcesCell(r.sources10()), sourcesCell(r.sources50())});
            }
        }
        t.add(sourcesTable(SOURCES_TITLE, sourceRows));
        t.add(semanticTable());
        List<String[]> lq = new ArrayList<>();
        outcome.labelQuality().forEach((variant, q) -> lq.add(new String[] {variant,
                String.valueOf(q.labelledContexts()), f2(q.labelsPerContext()), pct(q.goldHitRate()),
                pct(q.top20Share()), pct(q.coverage())}));
        t.add(new Table("Augmented-label quality before training (training contexts)",
                new String[] {"label variant", "labelled contexts", "labels/context", "held-out gold in labels",
                        "share on top-20 items", "catalogue coverage"}, lq));
        if (!outcome.extraPretraining().isEmpty()) {
            t.add(extraTable());
        }
        return t;
    }

    /**
     * The variants that also pre-train on another dataset's dialogues: how much of that dataset's catalogue
     * met this one, and how many first-stage examples it added (their labels are real gold, so no quality row).
     */
    private Table extraTable() {
        List<String[]> body = new ArrayList<>();
        outcome.extraPretraining().forEach((variant, f) -> {
            double mentioned = f.getOrDefault("extra_source_items_mentioned", 0.0);
            double mapped = f.getOrDefault("extra_source_items_mapped", 0.0);
            body.add(new String[] {variant, String.format(Locale.ROOT, "%.0f / %.0f (%s)", mapped, mentioned,
                    pct(mentioned == 0 ? 0 : mapped / mentioned)),
                    String.format(Locale.ROOT, "%.0f", f.getOrDefault("extra_target_items_reached", 0.0)),
                    String.format(Locale.ROOT, "%.0f", f.getOrDefault("extra_pretrain_contexts", 0.0)),
                    String.format(Locale.ROOT, "%.0f", f.getOrDefault("extra_pretrain_examples", 0.0))});
        });
        return new Table("Extra first-stage examples from the other dataset (mapped by title and year)",
                new String[] {"label variant", "its training items mapped / named", "catalogue items reached",
                        "contexts", "first-stage examples"}, body);
    }

    /**
     * The method's Table 4: mean relevance of the top 10 and 50 per training scheme, mean ± std over seeds; then
     * per alpha and per share of labels, where the grid has them, which shows what alpha trades for recall.
     */
    private Table semanticTable() {
        List<String[]> body = new ArrayList<>();
        for (Row r : rows) {
            if (!r.meanStd().containsKey(SEMANTIC[0])) {
                continue;
            }
            String setting = switch (r.group()) {
                case ExperimentRunner.GROUP_ALPHA -> "two-stage, alpha " + r.setting();
                case ExperimentRunner.GROUP_SIZE -> "two-stage, labels " + r.setting();
                default -> r.setting();
            };
            List<String> cells = new ArrayList<>(List.of(r.variant(), r.catalogue(), r.backbone(), setting,
                    String.valueOf(r.seeds())));
            for (String m : SEMANTIC) {
                double[] ms = r.meanStd().get(m);
                cells.add(String.format(Locale.ROOT, "%.2f ± %.2f", ms[0], ms[1]));
            }
            body.add(cells.toArray(String[]::new));
        }
        return new Table("Semantic relevance S@k (0-4; judge " + semanticJudge + ", top items of every test context)",
                new String[] {"label variant", "catalogue", "backbone", "setting", "seeds", "S@10", "S@50"}, body);
    }

    private Table table(String title, java.util.function.Predicate<Row> filter) {
        List<String> header = new ArrayList<>(List.of("label variant", "catalogue", "test pairs", "backbone",
                "setting", "seeds"));
        header.addAll(List.of(HEADERS));
        header.addAll(List.of("Δ R@10 [95% CI] (p)", "Δ R@50 [95% CI] (p)", "checkpoints"));
        List<String[]> body = new ArrayList<>();
        for (Row r : rows) {
            if (!filter.test(r)) {
                continue;
            }
            List<String> cells = new ArrayList<>(List.of(r.variant(), r.catalogue(), String.valueOf(r.pairs()),
                    r.backbone(), r.setting(), String.valueOf(r.seeds())));
            for (String m : METRICS) {
                double[] ms = r.meanStd().get(m);
                // CS@k is a mean logit, not a share: it is printed as it is, and "—" where it was not measured
                double scale = m.startsWith("cs@") ? 1 : 100;
                cells.add(Double.isNaN(ms[0]) ? "—"
                        : String.format(Locale.ROOT, "%.2f ± %.2f", scale * ms[0], scale * ms[1]));
            }
            cells.add(delta(r.vsBaseline10(), r.pairs(), r.seeds()));
            cells.add(delta(r.vsBaseline50(), r.pairs(), r.seeds()));
            cells.add(String.join(" ", r.checkpoints()));
            body.add(cells.toArray(String[]::new));
        }
        return new Table(title, header.toArray(String[]::new), body);
    }

    /** The difference with its interval over the pairs and (with several) the seeds, said in words too. */
    static String delta(Significance.Result s, int pairs, int seeds) {
        if (s == null) {
            return "—";
        }
        return String.format(Locale.ROOT, "%+.2f [%+.2f, %+.2f] (p=%.3f), %s", 100 * s.difference(),
                100 * s.lower95(), 100 * s.upper95(), s.pValue(),
                Significance.verdict(s, Significance.over(pairs, "test pairs", seeds)));
    }

    private static String f2(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }

    private static String pct(double d) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * d);
    }

    private String intro() {
        ExperimentPlan p = outcome.plan();
        return String.format(Locale.ROOT, "Dataset %s, test split, strict protocol (items mentioned earlier removed from"
                + " gold and predictions). Recall in %%, mean ± standard deviation over %d seed(s). Δ is the difference"
                + " to the baseline of the same label variant, catalogue and backbone, with its 95%% interval and p from a two-sided paired"
                + " bootstrap (%d resamples), said in words (an interval that holds zero is 'not distinguishable from no"
                + " change'). With several seeds it resamples the seeds and the test pairs independently (a crossed"
                + " bootstrap), so the interval holds both how much the result moves when the models are trained again"
                + " and how much it would move on other test pairs. Tail items are mentioned at most a few times in training."
                + " CS@k is the collaborative score: the mean logit, under a sequential model trained once on the original"
                + " training dialogues, of the top-k items given the items the context mentioned (contexts that mention none"
                + " are left out). Catalogue 'metadata' ranks"
                + " the items that have descriptive metadata (the method's tables); 'all' ranks every title.",
                p.dataset(), p.seeds(), p.bootstrapResamples());
    }

    String markdown(List<String> plots) {
        return ReportPage.markdown("Experiment report", intro(), tables(), plots);
    }

    String html(List<String> plots) {
        return ReportPage.html("Experiment report", intro(), tables(), plots);
    }
}
