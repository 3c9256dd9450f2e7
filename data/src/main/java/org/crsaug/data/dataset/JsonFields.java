package org.crsaug.data.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** Field access that reports the full path of a missing or mistyped field in its failure reason. */
final class JsonFields {

    // trailing tokens would otherwise be silently dropped, hiding two records glued onto one line
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonFields() {
    }

    static JsonNode parse(String text) throws MalformedRecordException {
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new MalformedRecordException("empty input, expected a JSON value");
            }
            return node;
        } catch (JsonProcessingException e) {
            String where = "";
            if (e.getLocation() != null) {
                // records in JSON-lines files are one line, so the line is only worth naming for documents
                where = (e.getLocation().getLineNr() > 1 ? " at line " + e.getLocation().getLineNr() + "," : " at")
                        + " column " + e.getLocation().getColumnNr();
            }
            throw new MalformedRecordException("invalid JSON" + where + ": " + firstLine(e.getOriginalMessage()));
        }
    }

    static String path(String parent, String field) {
        return parent.isEmpty() ? field : parent + "." + field;
    }

    static JsonNode required(JsonNode obj, String field, String parent) throws MalformedRecordException {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            throw new MalformedRecordException("missing field '" + path(parent, field) + "'");
        }
        return v;
    }

    static String requiredText(JsonNode obj, String field, String parent) throws MalformedRecordException {
        JsonNode v = required(obj, field, parent);
        if (!v.isTextual()) {
            throw new MalformedRecordException("field '" + path(parent, field) + "' must be a string, got "
                    + describe(v));
        }
        return v.asText();
    }

    /** Ids are strings in some files and numbers in others; both are accepted and compared as text. */
    static String requiredId(JsonNode obj, String field, String parent) throws MalformedRecordException {
        JsonNode v = required(obj, field, parent);
        if (!v.isTextual() && !v.isIntegralNumber()) {
            throw new MalformedRecordException("field '" + path(parent, field) + "' must be a string or integer, got "
                    + describe(v));
        }
        String s = v.asText().strip();
        if (s.isEmpty()) {
            throw new MalformedRecordException("field '" + path(parent, field) + "' is empty");
        }
        return s;
    }

    static JsonNode requiredArray(JsonNode obj, String field, String parent) throws MalformedRecordException {
        JsonNode v = required(obj, field, parent);
        if (!v.isArray()) {
            throw new MalformedRecordException("field '" + path(parent, field) + "' must be a list, got " + describe(v));
        }
        return v;
    }

    static void requireObject(JsonNode v, String what) throws MalformedRecordException {
        if (!v.isObject()) {
            throw new MalformedRecordException(what + " must be a JSON object, got " + describe(v));
        }
    }

    static String describe(JsonNode v) {
        return switch (v.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String optionalText(JsonNode obj, String field, String parent) throws MalformedRecordException {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new MalformedRecordException("field '" + path(parent, field) + "' must be a string, got "
                    + describe(v));
        }
        String s = v.asText().strip();
        return s.isEmpty() ? null : s;
    }

    /** Metadata lists; a lone string is accepted as a one-element list because scrapers emit both. */
    static List<String> stringList(JsonNode obj, String field, String parent) throws MalformedRecordException {
        JsonNode v = obj.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isTextual()) {
            if (!v.asText().isBlank()) {
                out.add(v.asText().strip());
            }
            return out;
        }
        if (!v.isArray()) {
            throw new MalformedRecordException("field '" + path(parent, field) + "' must be a list, got "
                    + describe(v));
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual()) {
                throw new MalformedRecordException("field '" + path(parent, field) + "[" + i
                        + "]' must be a string, got " + describe(e));
            }
            if (!e.asText().isBlank()) {
                out.add(e.asText().strip());
            }
        }
        return out;
    }
}
