package org.crsaug.launcher;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.crsaug.model.llm.LlmCosts;
import org.crsaug.model.llm.LlmUsage;

/**
 * The HTML page a run leaves behind: the comparison table, a bar chart of recall per mode drawn with
 * Java2D (no charting library, no browser-side script), the LLM's estimated cost online and through the
 * Batch API, and the settings that produced it.
 */
final class RunReport {

    private static final String[] KEYS = {"recall@1", "recall@10", "recall@50"};
    private static final Color[] PALETTE = {new Color(0x8c8c8c), new Color(0x1f77b4), new Color(0xff7f0e),
            new Color(0x2ca02c), new Color(0xd62728)};

    private RunReport() {
    }

    /** Writes {@code run-<time>.html} and its PNG into {@code dir}; returns the HTML file. */
    static Path write(Path dir, String dataset, List<PipelineRun.Row> rows, LlmCosts costs, double seconds,
            Map<String, String> settings) throws IOException {
        Files.createDirectories(dir);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path png = dir.resolve("run-" + stamp + "-recall.png");
        ImageIO.write(chart(rows), "png", png.toFile());
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>crs run ")
                .append(escape(dataset)).append(' ').append(stamp).append("</title><style>body{font-family:sans-serif;"
                        + "margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .7em;"
                        + "text-align:right}td:first-child,th:first-child{text-align:left}</style></head><body>");
        html.append("<h1>").append(escape(dataset)).append(": baseline vs two-stage</h1>");
        html.append(String.format(Locale.ROOT, "<p>Test split, %s protocol; run took %.0f s.</p>",
                escape(settings.getOrDefault("evaluator.protocols", "strict").split(",")[0].trim()), seconds));
        html.append("<table><tr><th>mode</th><th>R@1 %</th><th>R@10 %</th><th>R@50 %</th><th>pairs</th>"
                + "<th>checkpoint</th></tr>");
        for (PipelineRun.Row r : rows) {
            html.append("<tr><td>").append(escape(r.mode())).append("</td>");
            for (String k : KEYS) {
                html.append(String.format(Locale.ROOT, "<td>%.2f</td>", 100 * r.metrics().getOrDefault(k, Double.NaN)));
            }
            html.append(String.format(Locale.ROOT, "<td>%.0f</td><td>%s</td></tr>",
                    r.metrics().getOrDefault("pairs", Double.NaN), escape(r.checkpointId())));
        }
        html.append("</table>");
        for (PipelineRun.Row r : rows.subList(Math.min(1, rows.size()), rows.size())) {
            // the same lines crs run prints: each lift with its interval over test pairs, in words
            String lines = ResultTable.intervals(r, rows.get(0));
            if (!lines.isEmpty()) {
                html.append("<p>Lift of ").append(escape(r.mode())).append(" over ").append(escape(rows.get(0).mode()))
                        .append(" (recall points):</p><pre>").append(escape(lines)).append("</pre>");
            }
        }
        html.append("<p><img alt=\"recall per mode\" src=\"").append(png.getFileName()).append("\"></p>");
        // online and batch tokens are priced differently (scorer.llm.batch.price.factor): each on its own row
        html.append("<h2>LLM cost (estimate)</h2><table><tr><th>mode</th><th>USD</th></tr>");
        for (String mode : List.of(LlmUsage.ONLINE, LlmUsage.BATCH)) {
            html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.4f</td></tr>", mode, costs.usd(mode)));
        }
        html.append(String.format(Locale.ROOT, "<tr><td>total</td><td>%.4f</td></tr></table>", costs.totalUsd()));
        html.append("<h2>Settings</h2><table>");
        settings.forEach((k, v) -> html.append("<tr><td>").append(escape(k)).append("</td><td>")
                .append(escape(org.crsaug.platform.config.CrsConfig.isSecret(k) ? "****" : v)).append("</td></tr>"));
        html.append("</table></body></html>\n");
        Path file = dir.resolve("run-" + stamp + ".html");
        Files.writeString(file, html, StandardCharsets.UTF_8);
        return file;
    }

    /** Grouped bars: one group per cut-off, one bar per mode, values in percent. */
    static BufferedImage chart(List<PipelineRun.Row> rows) {
        int w = 640;
        int h = 360;
        int left = 50;
        int bottom = 40;
        int top = 40;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            double max = 1e-9;
            for (PipelineRun.Row r : rows) {
                for (String k : KEYS) {
                    max = Math.max(max, r.metrics().getOrDefault(k, 0.0));
                }
            }
            max = Math.min(1.0, Math.ceil(max * 10) / 10);
            int plotH = h - top - bottom;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(new Color(0xdddddd));
            g.setStroke(new BasicStroke(1));
            for (int i = 0; i <= 4; i++) {
                int y = h - bottom - plotH * i / 4;
                g.drawLine(left, y, w - 10, y);
                g.setColor(Color.DARK_GRAY);
                g.drawString(String.format(Locale.ROOT, "%.0f%%", 100 * max * i / 4), 5, y + 4);
                g.setColor(new Color(0xdddddd));
            }
            int groupW = (w - left - 10) / KEYS.length;
            int barW = Math.max(4, (groupW - 30) / Math.max(1, rows.size()));
            for (int k = 0; k < KEYS.length; k++) {
                int x0 = left + k * groupW + 15;
                for (int m = 0; m < rows.size(); m++) {
                    double v = rows.get(m).metrics().getOrDefault(KEYS[k], 0.0);
                    int bh = (int) Math.round(plotH * v / max);
                    g.setColor(PALETTE[m % PALETTE.length]);
                    g.fillRect(x0 + m * barW, h - bottom - bh, barW - 2, bh);
                }
                g.setColor(Color.BLACK);
                g.drawString(KEYS[k], x0 + groupW / 2 - 40, h - bottom + 18);
            }
            for (int m = 0; m < rows.size(); m++) {
                g.setColor(PALETTE[m % PALETTE.length]);
                g.fillRect(left + m * 130, 12, 12, 12);
                g.setColor(Color.BLACK);
                g.drawString(rows.get(m).mode(), left + m * 130 + 18, 23);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
