package org.crsaug.launcher.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.crsaug.launcher.experiment.ReportPage.Table;
import org.crsaug.model.simulate.SimulationJob;
import org.crsaug.model.simulate.SimulationSummary;

/**
 * What {@code crs simulate} prints and leaves behind: recall at every turn, the end result and the mean
 * turn of success, as a console table and as a report in {@code crs experiment}'s format
 * ({@code report.md}, {@code report.html} and a plot of recall per turn).
 */
public final class SimulationReport {

    private static final String PLOT = "recall-per-turn.png";

    private final SimulationJob.Outcome outcome;

    public SimulationReport(SimulationJob.Outcome outcome) {
        this.outcome = outcome;
    }

    /** The console table: one row per turn, then the end result and the mean turns to success. */
    public String text() {
        SimulationSummary s = outcome.summary();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-12s", "turn"));
        for (int k : s.ks()) {
            sb.append(String.format(Locale.ROOT, " %8s", "R@" + k));
        }
        sb.append('\n');
        for (String[] row : perTurnRows()) {
            sb.append(String.format(Locale.ROOT, "%-12s", row[0]));
            for (int j = 1; j < row.length; j++) {
                sb.append(String.format(Locale.ROOT, " %8s", row[j]));
            }
            sb.append('\n');
        }
        sb.append(String.format(Locale.ROOT, "%-12s", "mean turns"));
        for (int j = 0; j < s.ks().length; j++) {
            sb.append(String.format(Locale.ROOT, " %8s", meanTurns(s, j)));
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "%d episodes (%d invalid), %d test pairs outside the catalogue, %.1f s%n",
                s.episodes(), s.invalid(), outcome.result().pairsOutsideCatalogue(), outcome.seconds()));
        return sb.toString();
    }

    private List<String[]> perTurnRows() {
        SimulationSummary s = outcome.summary();
        List<String[]> rows = new ArrayList<>();
        for (int t = 1; t <= s.turns(); t++) {
            String[] row = new String[s.ks().length + 1];
            row[0] = t == s.turns() ? t + " (end)" : String.valueOf(t);
            for (int j = 0; j < s.ks().length; j++) {
                row[j + 1] = pct(s.recall()[t - 1][j]);
            }
            rows.add(row);
        }
        return rows;
    }

    private static String meanTurns(SimulationSummary s, int j) {
        return Double.isNaN(s.meanTurns()[j]) ? "—" : String.format(Locale.ROOT, "%.2f", s.meanTurns()[j]);
    }

    private static String pct(double d) {
        return String.format(Locale.ROOT, "%.2f", 100 * d);
    }

    private List<Table> tables() {
        SimulationSummary s = outcome.summary();
        List<String> header = new ArrayList<>(List.of("turn"));
        for (int k : s.ks()) {
            header.add("R@" + k);
        }
        Table perTurn = new Table("Recall by turn (target in the top k by then, %)", header.toArray(String[]::new),
                perTurnRows());
        List<String> outcomeHeader = new ArrayList<>(List.of("checkpoint", "simulator", "turns", "episodes", "invalid"));
        List<String> cells = new ArrayList<>(List.of(outcome.checkpoint().getCheckpointId(),
                outcome.simulatorVersion(), String.valueOf(s.turns()), String.valueOf(s.episodes()),
                String.valueOf(s.invalid())));
        for (int j = 0; j < s.ks().length; j++) {
            outcomeHeader.add("R@" + s.ks()[j]);
            cells.add(pct(s.finalRecall(j)));
        }
        for (int j = 0; j < s.ks().length; j++) {
            outcomeHeader.add("mean turns to top " + s.ks()[j]);
            cells.add(meanTurns(s, j) + " (" + s.successes()[j] + " episodes)");
        }
        Table end = new Table("At the end", outcomeHeader.toArray(String[]::new),
                List.<String[]>of(cells.toArray(String[]::new)));
        return List.of(end, perTurn);
    }

    private String intro() {
        SimulationSummary s = outcome.summary();
        return String.format(Locale.ROOT, "Dataset %s, test split, user simulator (%s). One episode per test (context,"
                + " gold item) pair: the seeker's hidden target is the gold item, turn 1 is the real dialogue up to the"
                + " gold recommender turn, and each later turn the seeker says more about the target without naming"
                + " it; after every seeker turn checkpoint %s ranks the catalogue without the items mentioned so far"
                + " (the recommender names its best item when it missed, which is then mentioned). R@k at turn t is the"
                + " share of the %d valid episodes whose target was in the top k by turn t; the last turn's is the end"
                + " result. %d test pairs had a gold item outside the checkpoint's catalogue; %d episodes were invalid."
                + " Simulation id %s; its episodes are on the simulation-episodes topic. Took %.1f s.",
                outcome.checkpoint().getDataset(), outcome.simulatorVersion(), outcome.checkpoint().getCheckpointId(),
                s.episodes(), outcome.result().pairsOutsideCatalogue(), s.invalid(), outcome.result().simulationId(),
                outcome.seconds());
    }

    /** Writes report.md, report.html and the plot into the directory; returns the HTML path. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        SimulationSummary s = outcome.summary();
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (int j = 0; j < s.ks().length; j++) {
            List<double[]> points = new ArrayList<>();
            for (int t = 1; t <= s.turns(); t++) {
                points.add(new double[] {t, 100 * s.recall()[t - 1][j]});
            }
            series.put("R@" + s.ks()[j], points);
        }
        LineChart.write(dir.resolve(PLOT), "Recall by turn (user simulator)", "turn", "recall (%)", series);
        List<String> plots = List.of(PLOT);
        String title = "Simulation report";
        Files.writeString(dir.resolve("report.md"), ReportPage.markdown(title, intro(), tables(), plots));
        Path html = dir.resolve("report.html");
        Files.writeString(html, ReportPage.html(title, intro(), tables(), plots));
        return html;
    }
}
