package org.crsaug.launcher.experiment;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** A small line chart drawn with Java2D, so reports need no plotting library and no display. */
final class LineChart {

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd)};
    private static final int W = 720;
    private static final int H = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 170;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private LineChart() {
    }

    /** One line per series; each series lists (x, y) points in x order. */
    static void write(Path file, String title, String xLabel, String yLabel, Map<String, List<double[]>> series)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            double minX = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
            for (List<double[]> pts : series.values()) {
                for (double[] p : pts) {
                    minX = Math.min(minX, p[0]);
                    maxX = Math.max(maxX, p[0]);
                    minY = Math.min(minY, p[1]);
                    maxY = Math.max(maxY, p[1]);
                }
            }
            if (minX == Double.MAX_VALUE) {
                minX = 0; maxX = 1; minY = 0; maxY = 1;
            }
            if (maxX == minX) {
                maxX = minX + 1;
            }
            double pad = Math.max(0.5, (maxY - minY) * 0.1);
            minY = Math.max(0, minY - pad);
            maxY = maxY + pad;
            int plotW = W - LEFT - RIGHT;
            int plotH = H - TOP - BOTTOM;
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, LEFT, 25);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawRect(LEFT, TOP, plotW, plotH);
            for (int i = 0; i <= 4; i++) {
                double y = minY + (maxY - minY) * i / 4;
                int py = TOP + plotH - (int) Math.round(plotH * i / 4.0);
                g.setColor(new Color(0xdddddd));
                g.drawLine(LEFT + 1, py, LEFT + plotW - 1, py);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%.1f", y), LEFT - 40, py + 4);
            }
            for (int i = 0; i <= 4; i++) {
                double x = minX + (maxX - minX) * i / 4;
                int px = LEFT + (int) Math.round(plotW * i / 4.0);
                g.drawString(String.format(Locale.ROOT, "%.2f", x), px - 12, TOP + plotH + 18);
            }
            g.drawString(xLabel, LEFT + plotW / 2 - 30, H - 15);
            g.rotate(-Math.PI / 2);
            g.drawString(yLabel, -(TOP + plotH / 2 + 40), 18);
            g.rotate(Math.PI / 2);
            int c = 0;
            for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
                g.setColor(PALETTE[c % PALETTE.length]);
                g.setStroke(new BasicStroke(2f));
                int[] prev = null;
                for (double[] p : e.getValue()) {
                    int px = LEFT + (int) Math.round((p[0] - minX) / (maxX - minX) * plotW);
                    int py = TOP + plotH - (int) Math.round((p[1] - minY) / (maxY - minY) * plotH);
                    g.fillOval(px - 4, py - 4, 8, 8);
                    if (prev != null) {
                        g.drawLine(prev[0], prev[1], px, py);
                    }
                    prev = new int[] {px, py};
                }
                g.fillRect(W - RIGHT + 15, TOP + 10 + 20 * c, 12, 12);
                g.setColor(Color.BLACK);
                g.drawString(e.getKey(), W - RIGHT + 32, TOP + 21 + 20 * c);
                c++;
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", file.toFile());
    }
}
