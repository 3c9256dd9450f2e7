package org.crsaug.launcher.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.crsaug.model.recommender.TrainingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's tables from known runs: lifts in words over pairs and seeds together, and S@k when measured. */
class ExperimentReportTest {

    private static final ExperimentPlan PLAN = new ExperimentPlan("inspired", 3, List.of("semantic"),
            List.of(TrainingMode.BASELINE, TrainingMode.TWO_STAGE), List.of(), List.of(),
            List.of(new ExperimentPlan.LabelVariant("llm", Map.of())), List.of("metadata"), 1000);

    @Test
    void eachLiftIsSaidInWordsOverPairsAndSeedsTogetherAndSkIsItsOwnTable(@TempDir Path tmp) throws Exception {
        // 3 seeds x 4 pairs: two-stage finds the same one more pair at R@10 in every seed (the bootstrap is seeded,
        // so its interval is the same on every run); at R@50 both find the same pairs
        List<RunResult> runs = new ArrayList<>();
        for (long seed = 1; seed <= 3; seed++) {
            runs.add(run("baseline", seed, new int[] {0, 30, 60, 60}, 2.0 + seed / 10.0));
            runs.add(run("two-stage", seed, new int[] {0, 5, 60, 60}, 2.5 + seed / 10.0));
            runs.add(run(ExperimentRunner.GROUP_ALPHA, "0.40", seed, new int[] {0, 5, 60, 60}, 3.0 + seed / 10.0));
        }
        ExperimentReport report = new ExperimentReport(new ExperimentRunner.Outcome(PLAN, runs, Map.of()),
                "llm (gpt-4o-mini, prompt relevance-v1@abcd1234)");

        ExperimentReport.Row twoStage = report.rows().stream().filter(r -> r.setting().equals("two-stage"))
                .findFirst().orElseThrow();
        assertThat(twoStage.vsBaseline10().difference()).isEqualTo(0.25);
        // every seed gains the same one pair of four: seeds add no evidence about other pairs, so the interval is that
        // of one gained pair in four (j/4, j ~ Binomial(4, 1/4): [0, 3/4]), not that of 3 gains in 12 pooled pairs
        assertThat(twoStage.vsBaseline10().lower95()).isZero();
        assertThat(twoStage.vsBaseline10().upper95()).isEqualTo(0.75);
        assertThat(twoStage.vsBaseline50().difference()).isZero();
        String md = report.markdown(List.of());
        assertThat(md).contains("+25.00 [+0.00, +75.00] (p=0.630), not distinguishable from no change on 4 test pairs"
                + " and 3 seeds, both resampled");
        assertThat(md).contains(
                "+0.00 [+0.00, +0.00] (p=1.000), not distinguishable from no change on 4 test pairs and 3 seeds, both"
                        + " resampled", "resamples the seeds and the test pairs independently");
        // every seed gains the same pair: all of the uncertainty is which pairs were drawn, and the standard error is
        // that of one gain among 4 pairs, sqrt(3/4 / 3 / 4) = 1/4
        assertThat(md).contains("## Where each difference's uncertainty comes from",
                "| llm | metadata | semantic | modes | two-stage | 3 | 25.00 (seeds 0%, pairs 100%, cells 0%) |"
                        + " 0.00 (seeds 0%, pairs 0%, cells 0%) |");
        assertThat(md).contains("## Semantic relevance S@k (0-4; judge llm (gpt-4o-mini, prompt relevance-v1@abcd1234)",
                "| llm | metadata | semantic | baseline | 3 | 2.20 ± 0.10 | 2.20 ± 0.10 |",
                "| llm | metadata | semantic | two-stage | 3 | 2.70 ± 0.10 | 2.70 ± 0.10 |",
                "| llm | metadata | semantic | two-stage, alpha 0.40 | 3 | 3.20 ± 0.10 | 3.20 ± 0.10 |");

        // the ranks behind every interval go beside the report, 1-based, one row per model and pair
        report.write(tmp);
        assertThat(Files.readAllLines(tmp.resolve("ranks.csv"))).hasSize(1 + 9 * 4).startsWith(PairRankCsv.HEADER,
                "llm,metadata,semantic,modes,baseline,1,baseline-1,0,1", "llm,metadata,semantic,modes,baseline,1,baseline-1,1,31");

        // without S@k the table is left out
        List<RunResult> plain = runs.stream().map(r -> new RunResult(r.variant(), r.catalogue(), r.backbone(),
                r.group(), r.setting(), r.seed(), r.checkpointId(), Map.of("recall@10", 0.5), r.ranks())).toList();
        assertThat(new ExperimentReport(new ExperimentRunner.Outcome(PLAN, plain, Map.of())).markdown(List.of()))
                .doesNotContain("Semantic relevance");
    }

    @Test
    void aVariantThatBorrowsTheOtherDatasetsDialoguesGetsItsOverlapTableAndOthersDoNot() {
        List<RunResult> runs = List.of(run("baseline", 1, new int[] {0, 30}, 2.0), run("two-stage", 1,
                new int[] {0, 5}, 2.0));
        Map<String, Double> figures = Map.of("extra_source_items_mentioned", 400.0, "extra_source_items_mapped",
                100.0, "extra_target_items_reached", 90.0, "extra_pretrain_contexts", 700.0,
                "extra_pretrain_examples", 800.0, "extra_contexts_without_vector", 0.0);

        String md = new ExperimentReport(new ExperimentRunner.Outcome(PLAN, runs, Map.of(),
                Map.of("llm", figures))).markdown(List.of());

        assertThat(md).contains("## Extra first-stage examples from the other dataset",
                "| llm | 100 / 400 (25.0%) | 90 | 700 | 800 |");
        assertThat(new ExperimentReport(new ExperimentRunner.Outcome(PLAN, runs, Map.of())).markdown(List.of()))
                .doesNotContain("Extra first-stage");
    }

    private static RunResult run(String mode, long seed, int[] ranks, double sk) {
        return run(ExperimentRunner.GROUP_MODES, mode, seed, ranks, sk);
    }

    private static RunResult run(String group, String setting, long seed, int[] ranks, double sk) {
        Map<String, Double> metrics = new HashMap<>();
        for (int k : new int[] {1, 10, 50}) {
            int hits = 0;
            for (int r : ranks) {
                hits += r < k ? 1 : 0;
            }
            metrics.put("recall@" + k, hits / (double) ranks.length);
        }
        metrics.put("s@10", sk);
        metrics.put("s@50", sk);
        return new RunResult("llm", "metadata", "semantic", group, setting, seed, setting + "-" + seed, metrics,
                ranks);
    }
}
