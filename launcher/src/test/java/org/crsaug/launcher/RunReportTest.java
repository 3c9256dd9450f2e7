package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.crsaug.model.llm.LlmCosts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report a run leaves behind, and the progress lines it prints on the way. */
class RunReportTest {

    private final List<PipelineRun.Row> rows = List.of(
            new PipelineRun.Row("baseline", "cp-a", Map.of("recall@1", 0.05, "recall@10", 0.20, "recall@50", 0.40, "pairs", 100.0)),
            new PipelineRun.Row("two-stage", "cp-b", Map.of("recall@1", 0.07, "recall@10", 0.25, "recall@50", 0.50, "pairs", 100.0)));

    @Test
    void theHtmlReportHoldsTheTableAReadableChartAndMaskedSettings(@TempDir Path tmp) throws Exception {
        Path html = RunReport.write(tmp, "inspired", rows, new LlmCosts(Map.of("online", 0.0125, "batch", 0.25)),
                90, Map.of("trainer.alpha", "0.2", "kafka.sasl.jaas.config", "user=secret-value"));

        String page = Files.readString(html);
        assertThat(page).contains("<td>baseline</td>", "<td>5.00</td>", "<td>50.00</td>", "cp-b", "trainer.alpha")
                .doesNotContain("secret-value");
        // the LLM's spend, online and batch apart
        assertThat(page).contains("<tr><td>online</td><td>0.0125</td></tr>", "<tr><td>batch</td><td>0.2500</td></tr>",
                "<tr><td>total</td><td>0.2625</td></tr>");
        String png = page.replaceAll("(?s).*src=\"([^\"]+)\".*", "$1");
        BufferedImage img = ImageIO.read(tmp.resolve(png).toFile());
        assertThat(img.getWidth()).isEqualTo(640);
        // the two-stage R@50 bar is drawn in its colour, taller than the baseline's
        assertThat(columnHeight(img, 0x1f77b4)).isGreaterThan(columnHeight(img, 0x8c8c8c));
    }

    private static int columnHeight(BufferedImage img, int rgb) {
        int best = 0;
        for (int x = 0; x < img.getWidth(); x++) {
            int n = 0;
            for (int y = 30; y < img.getHeight(); y++) {
                if ((img.getRGB(x, y) & 0xffffff) == rgb) {
                    n++;
                }
            }
            best = Math.max(best, n);
        }
        return best;
    }

    @Test
    void everyLiftComesWithItsIntervalOverTestPairsAndSaysWhenItIsNoise() {
        // 100 aligned pairs: two-stage gains 2 pairs at R@1 (noise on 100 pairs: a resample misses both
        // gains 13% of the time) and 10 at R@50, losing none (an interval clear of zero)
        int[] base = new int[100];
        int[] twoStage = new int[100];
        for (int i = 0; i < 100; i++) {
            base[i] = i < 5 ? 0 : i < 20 ? 5 : i < 40 ? 20 : 100;
            twoStage[i] = i < 7 ? 0 : i < 25 ? 5 : i < 50 ? 20 : 100;
        }
        List<PipelineRun.Row> ranked = List.of(new PipelineRun.Row("baseline", "cp-a", rows.get(0).metrics(), base),
                new PipelineRun.Row("two-stage", "cp-b", rows.get(1).metrics(), twoStage));

        String table = ResultTable.render(ranked);

        assertThat(table).contains("lift two-sta    +2.00    +5.00   +10.00");
        assertThat(table).containsPattern("R@1 +\\+2\\.00  95% interval \\[\\+0\\.00, \\+[0-9.]+\\]  not distinguishable"
                + " from no change on 100 test pairs");
        assertThat(table).containsPattern("R@50 +\\+10\\.00  95% interval \\[\\+[1-9][0-9.]*, \\+[0-9.]+\\]  an increase: the"
                + " 95% interval on 100 test pairs excludes zero");
        assertThat(table).contains("intervals are over test pairs for one training seed");
        // rows without ranks (or with other pairs) print the lift alone rather than a wrong interval
        assertThat(ResultTable.render(rows)).contains("lift").doesNotContain("interval");
    }

    @Test
    void progressOutsideATerminalPrintsAFewLinesWithCountsAndRates() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "[2/5] work", false);
        for (int i = 0; i <= 100; i++) {
            bar.update(new ProgressBar.Counter("contexts", i, 100));
        }
        bar.finish("100 contexts");
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out.split("\n")).hasSize(6); // 0%, 25%, 50%, 75%, 100% and the summary
        assertThat(out).contains("contexts 100/100", "[########################] 100%", "done in");
        assertThat(out).doesNotContain("\r");
    }

    @Test
    void progressOnATerminalRedrawsOneLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "[2/5] work", true);
        for (int i = 0; i <= 10; i++) {
            bar.update(new ProgressBar.Counter("contexts", i, 10));
        }
        bar.finish("10 contexts");
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out.split("\n", -1)).hasSize(2); // one line and its final newline
        assertThat(out.chars().filter(c -> c == '\r').count()).isEqualTo(12);
    }
}
