package org.crsaug.scorer.zeroshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.crsaug.scorer.llm.ReplyParser;

/**
 * Reads the list of titles out of a zero-shot recommender's reply. The prompt asks for
 * {@code {"recommendations": ["Title (year)", ...]}}; a bare JSON array, another key holding the array,
 * objects with a {@code title} (and {@code year}) and a fenced or prefaced answer are read too, since chat
 * models drift. What cannot be read is a {@link Status}, counted by the caller, never an exception: one bad
 * reply must not end an evaluation of hundreds of contexts.
 */
public final class TitleListReply {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a reply was read. */
    public enum Status {
        /** At least one title. */
        OK,
        /** No JSON list of titles in it. */
        NOT_JSON,
        /** Blank, or a list without a single title. */
        EMPTY
    }

    /** The titles in the reply's order (repeats kept: the caller counts them) and how the reply was read. */
    public record Parsed(Status status, List<String> titles) {
    }

    private TitleListReply() {
    }

    public static Parsed parse(String reply) {
        if (reply == null || reply.isBlank()) {
            return new Parsed(Status.EMPTY, List.of());
        }
        Optional<JsonNode> list = bareArray(reply).or(() -> ReplyParser.lastJsonObject(reply)
                .flatMap(TitleListReply::arrayIn));
        if (list.isEmpty()) {
            return new Parsed(Status.NOT_JSON, List.of());
        }
        List<String> titles = new ArrayList<>();
        for (JsonNode n : list.get()) {
            String title = n.isTextual() ? n.asText() : n.path("title").asText("");
            if (!n.isTextual() && n.hasNonNull("year") && !title.isBlank()) {
                title = title.strip() + " (" + n.get("year").asText() + ")";
            }
            if (!title.isBlank()) {
                titles.add(title.strip());
            }
        }
        return new Parsed(titles.isEmpty() ? Status.EMPTY : Status.OK, List.copyOf(titles));
    }

    /** A reply that is only an array, possibly inside a code fence. */
    private static Optional<JsonNode> bareArray(String reply) {
        String s = reply.strip();
        if (s.startsWith("```")) {
            int firstLine = s.indexOf('\n');
            int end = s.lastIndexOf("```");
            s = firstLine < 0 || end <= firstLine ? "" : s.substring(firstLine + 1, end).strip();
        }
        if (!s.startsWith("[")) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(s);
            return n != null && n.isArray() ? Optional.of(n) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** The object's "recommendations" array, else its first array-valued field. */
    private static Optional<JsonNode> arrayIn(JsonNode object) {
        if (object.path("recommendations").isArray()) {
            return Optional.of(object.get("recommendations"));
        }
        Iterator<JsonNode> values = object.elements();
        while (values.hasNext()) {
            JsonNode v = values.next();
            if (v.isArray()) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
