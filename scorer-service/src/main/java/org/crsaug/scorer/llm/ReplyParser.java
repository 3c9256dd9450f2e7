package org.crsaug.scorer.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads scores out of a free-form reply: reasoning first, the JSON object last. Only the last
 * JSON object counts, so objects quoted in the reasoning (or echoed from the dialogue)
 * are never taken for the answer; names that are not candidates are ignored; scores are clamped
 * into 0..4 and may be numbers or numeric strings.
 */
public final class ReplyParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Scores by item id, plus the reply names that matched no candidate (for the log). */
    public record Parsed(Map<String, Float> scores, List<String> ignoredNames, boolean hadJson) {
    }

    private ReplyParser() {
    }

    public static Parsed parse(String reply, CandidateNames names) {
        Optional<JsonNode> object = lastJsonObject(reply == null ? "" : reply);
        Map<String, Float> scores = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        if (object.isEmpty()) {
            return new Parsed(scores, ignored, false);
        }
        JsonNode node = object.get();
        // some models wrap the mapping, e.g. {"scores": {...}}: look one level down when needed; a structured
        // reply ({"reasoning": ..., "scores": {...}}, see ScoreSchema) that the strict reading refused lands here too
        if (node.size() == 1 && node.elements().next().isObject()) {
            node = node.elements().next();
        } else if (node.path("scores").isObject()) {
            node = node.get("scores");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            Optional<String> item = names.match(f.getKey());
            Float score = score(f.getValue());
            if (item.isEmpty()) {
                ignored.add(f.getKey());
            } else if (score != null) {
                scores.put(item.get(), score);
            }
        }
        return new Parsed(scores, ignored, true);
    }

    static Float score(JsonNode v) {
        double d;
        if (v.isNumber()) {
            d = v.asDouble();
        } else if (v.isTextual()) {
            String t = v.asText().strip();
            int slash = t.indexOf('/');
            if (slash > 0) {
                t = t.substring(0, slash).strip(); // "3.5/4"
            }
            try {
                d = Double.parseDouble(t);
            } catch (NumberFormatException e) {
                return null;
            }
        } else {
            return null;
        }
        if (Double.isNaN(d)) {
            return null;
        }
        return (float) Math.max(0, Math.min(4, d));
    }

    /** Scans for balanced {...} spans outside JSON strings and returns the last that parses. */
    public static Optional<JsonNode> lastJsonObject(String text) {
        List<int[]> spans = new ArrayList<>();
        int depth = 0;
        int start = -1;
        boolean inString = false;
        boolean escaped = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            if (c == '"' && depth > 0) {
                inString = true;
            } else if (c == '{') {
                if (depth == 0) {
                    start = i;
                }
                depth++;
            } else if (c == '}' && depth > 0) {
                depth--;
                if (depth == 0) {
                    spans.add(new int[] {start, i + 1});
                }
            }
        }
        for (int k = spans.size() - 1; k >= 0; k--) {
            String candidate = text.substring(spans.get(k)[0], spans.get(k)[1]);
            if (candidate.indexOf('"') < 0 || candidate.indexOf(':') < 0) {
                continue; // braces in prose, not an attempt at JSON
            }
            // the last attempt is the answer: if it is broken we must not fall back to an object
            // from the reasoning, which may be an example or a quote
            try {
                JsonNode n = JSON.readTree(candidate);
                return n != null && n.isObject() ? Optional.of(n) : Optional.empty();
            } catch (Exception e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
