package org.crsaug.launcher.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The report layout both {@code crs experiment} and {@code crs simulate} write through. */
class ReportPageTest {

    private static final List<ReportPage.Table> TABLES = List.of(
            new ReportPage.Table("Recall <by> turn", new String[] {"turn", "R@1"},
                    List.<String[]>of(new String[] {"1", "3.11"}, new String[] {"2 & more", "5.59"})),
            new ReportPage.Table("Nothing here", new String[] {"a"}, List.of()));

    @Test
    void markdownHasTheTitleIntroTablesAndPlotsAndLeavesEmptyTablesOut() {
        String md = ReportPage.markdown("Simulation report", "Intro.", TABLES, List.of("plot.png"));
        assertThat(md).isEqualTo("# Simulation report\n\nIntro.\n\n## Recall <by> turn\n\n| turn | R@1 |\n| --- | --- |\n"
                + "| 1 | 3.11 |\n| 2 & more | 5.59 |\n\n![plot.png](plot.png)\n\n");
    }

    @Test
    void htmlEscapesEveryCellAndLeavesEmptyTablesOut() {
        String html = ReportPage.html("Simulation report", "a < b", TABLES, List.of("plot.png"));
        assertThat(html).startsWith("<!doctype html>").contains("<title>Simulation report</title>",
                "<h1>Simulation report</h1><p>a &lt; b</p>", "<h2>Recall &lt;by&gt; turn</h2>",
                "<td>2 &amp; more</td>", "<img src=\"plot.png\"").doesNotContain("Nothing here");
    }
}
