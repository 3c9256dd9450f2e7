package org.crsaug.data.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.crsaug.data.export.LabelSnapshot.LabelledContext;
import org.crsaug.schema.Label;

/**
 * The JSON pieces every label format shares: one augmented item with its provenance, and one line. Fields are
 * written in a fixed order and nothing varies between runs (no times, no hash-map order), which is what makes
 * two exports of one checkpoint byte-identical.
 */
final class LabelJson {

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private LabelJson() {
    }

    /** The augmented items of a context, in the order the scorer published them. */
    static ArrayNode augmented(LabelSnapshot snapshot, LabelledContext c) {
        ArrayNode out = NODES.arrayNode();
        for (Label l : c.labels().getLabels()) {
            out.add(item(snapshot, c, l));
        }
        return out;
    }

    static ObjectNode item(LabelSnapshot snapshot, LabelledContext c, Label l) {
        ObjectNode o = NODES.objectNode();
        o.put("itemId", l.getItemId());
        o.put("title", snapshot.title(l.getItemId()));
        o.put("score", l.getScore());
        o.put("judge", c.labels().getJudgeId());
        o.put("judgeVersion", c.labels().getJudgeVersion());
        o.put("promptVersion", c.promptVersionByItem().getOrDefault(l.getItemId(), ""));
        o.put("source", c.sourceByItem().getOrDefault(l.getItemId(), ""));
        o.put("encoder", c.encoderId());
        return o;
    }

    static ArrayNode strings(List<String> values) {
        ArrayNode out = NODES.arrayNode();
        values.forEach(out::add);
        return out;
    }

    /** One JSON document on one line (JSON escapes line breaks inside strings). */
    static String line(Object node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write " + node, e);
        }
    }
}
