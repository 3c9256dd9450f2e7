package org.crsaug.launcher.experiment;

import java.util.List;

/**
 * The one layout of a report: a title, an introduction, tables and plots, as Markdown and as HTML. Both
 * {@code crs experiment} and {@code crs simulate} write theirs through it, so the two read alike and a
 * script that reads one reads the other.
 */
public final class ReportPage {

    /** One table: its title, header cells and rows of cells. */
    public record Table(String title, String[] header, List<String[]> rows) {
    }

    private ReportPage() {
    }

    /** Tables without rows are left out. */
    public static String markdown(String title, String intro, List<Table> tables, List<String> plots) {
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n").append(intro).append("\n\n");
        for (Table t : tables) {
            if (t.rows().isEmpty()) {
                continue;
            }
            sb.append("## ").append(t.title()).append("\n\n| ").append(String.join(" | ", t.header())).append(" |\n|");
            sb.append(" --- |".repeat(t.header().length)).append('\n');
            for (String[] r : t.rows()) {
                sb.append("| ").append(String.join(" | ", r)).append(" |\n");
            }
            sb.append('\n');
        }
        for (String p : plots) {
            sb.append("![").append(p).append("](").append(p).append(")\n\n");
        }
        return sb.toString();
    }

    /** Tables without rows are left out. */
    public static String html(String title, String intro, List<Table> tables, List<String> plots) {
        StringBuilder sb = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
                .append(escape(title)).append("</title>"
                + "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}"
                + "td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px}th{background:#f3f3f3}"
                + "td:last-child{font-size:11px;color:#666}</style></head><body><h1>").append(escape(title))
                .append("</h1><p>").append(escape(intro)).append("</p>");
        for (Table t : tables) {
            if (t.rows().isEmpty()) {
                continue;
            }
            sb.append("<h2>").append(escape(t.title())).append("</h2><table><tr>");
            for (String h : t.header()) {
                sb.append("<th>").append(escape(h)).append("</th>");
            }
            sb.append("</tr>");
            for (String[] r : t.rows()) {
                sb.append("<tr>");
                for (String c : r) {
                    sb.append("<td>").append(escape(c)).append("</td>");
                }
                sb.append("</tr>");
            }
            sb.append("</table>");
        }
        for (String p : plots) {
            sb.append("<p><img src=\"").append(p).append("\" alt=\"").append(p).append("\"></p>");
        }
        return sb.append("</body></html>\n").toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
