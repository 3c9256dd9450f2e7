package org.crsaug.scorer.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rows of a judgements file: CSV with a header naming {@code context_id}, {@code item_id} and
 * {@code score} (other columns, such as an annotator's notes, are ignored), or JSON lines with those three
 * fields. One record per line; a line that is not one is a malformed row with its reason, never a guess.
 */
public final class JudgementRows {

    public static final List<String> COLUMNS = List.of("context_id", "item_id", "score");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A row as written: its 1-based line number and text, and the three values. */
    public record Row(long line, String raw, String contextId, String itemId, double score) {
    }

    /** A line that is not a row, with why. */
    public record Malformed(long line, String raw, String reason) {
    }

    public record Parsed(List<Row> rows, List<Malformed> malformed) {
    }

    private JudgementRows() {
    }

    /** Reads a file by its name's extension: {@code .csv} or {@code .jsonl}. */
    public static Parsed parse(String fileName, byte[] content) {
        String name = fileName.toLowerCase(Locale.ROOT);
        String text = new String(content, StandardCharsets.UTF_8);
        if (name.endsWith(".csv")) {
            return csv(text);
        }
        if (name.endsWith(".jsonl")) {
            return jsonl(text);
        }
        throw new IllegalArgumentException(fileName + ": name a .csv file (header context_id,item_id,score) or a"
                + " .jsonl file (one {\"context_id\": ..., \"item_id\": ..., \"score\": ...} per line)");
    }

    static Parsed jsonl(String text) {
        List<Row> rows = new ArrayList<>();
        List<Malformed> bad = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (Exception e) {
                bad.add(new Malformed(i + 1, line, "not a JSON object: " + e.getMessage().lines().findFirst()
                        .orElse("")));
                continue;
            }
            if (node == null || !node.isObject()) {
                bad.add(new Malformed(i + 1, line, "not a JSON object"));
                continue;
            }
            row(i + 1, line, text(node.get("context_id")), text(node.get("item_id")), text(node.get("score")),
                    rows, bad);
        }
        return new Parsed(rows, bad);
    }

    static Parsed csv(String text) {
        List<Row> rows = new ArrayList<>();
        List<Malformed> bad = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        int[] at = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isBlank()) {
                continue;
            }
            List<String> fields = fields(line);
            if (fields == null) {
                bad.add(new Malformed(i + 1, line, "unbalanced quotes (a record must be on one line)"));
                continue;
            }
            if (at == null) {
                at = header(fields);
                continue;
            }
            String[] v = new String[3];
            for (int k = 0; k < 3; k++) {
                v[k] = at[k] < fields.size() ? fields.get(at[k]).strip() : null;
            }
            row(i + 1, line, v[0], v[1], v[2], rows, bad);
        }
        if (at == null) {
            throw new IllegalArgumentException("The CSV file has no header line; the first line must name the"
                    + " columns " + String.join(",", COLUMNS));
        }
        return new Parsed(rows, bad);
    }

    private static int[] header(List<String> fields) {
        int[] at = new int[3];
        List<String> names = fields.stream().map(f -> f.strip().toLowerCase(Locale.ROOT)).toList();
        for (int k = 0; k < 3; k++) {
            at[k] = names.indexOf(COLUMNS.get(k));
            if (at[k] < 0) {
                throw new IllegalArgumentException("The CSV header " + fields + " has no column " + COLUMNS.get(k)
                        + "; the first line must name the columns " + String.join(",", COLUMNS)
                        + " (others are ignored)");
            }
        }
        return at;
    }

    private static void row(long line, String raw, String contextId, String itemId, String score, List<Row> rows,
            List<Malformed> bad) {
        if (contextId == null || contextId.isBlank() || itemId == null || itemId.isBlank()) {
            bad.add(new Malformed(line, raw, "missing context_id or item_id"));
            return;
        }
        double s;
        try {
            s = Double.parseDouble(score == null ? "" : score.strip());
        } catch (NumberFormatException e) {
            bad.add(new Malformed(line, raw, "score '" + score + "' is not a number"));
            return;
        }
        if (Double.isNaN(s)) {
            bad.add(new Malformed(line, raw, "score is NaN"));
            return;
        }
        rows.add(new Row(line, raw, contextId.strip(), itemId.strip(), s));
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() || n.isContainerNode() ? null : n.asText();
    }

    /** RFC 4180 fields of one line ("" is a quote inside a quoted field); null when a quote is left open. */
    static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            return null;
        }
        out.add(field.toString());
        return out;
    }
}
