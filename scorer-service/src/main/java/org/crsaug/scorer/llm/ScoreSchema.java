package org.crsaug.scorer.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.core.JsonValue;
import com.openai.models.ResponseFormatJsonSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Structured outputs ({@code scorer.llm.response.format=json_schema}): the JSON schema a batch's reply must
 * follow, and the strict reading of a reply that does. The schema has the reasoning first (the prompt asks for
 * it before the scores, and a model that writes it first rates better) and then one required number per
 * candidate, named exactly as shown, so a conforming reply needs no name matching and no repair.
 */
public final class ScoreSchema {

    /** The {@code json_schema.name} sent; providers echo it in logs. */
    static final String NAME = "candidate_scores";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ScoreSchema() {
    }

    /** The response format for candidates shown under these names. */
    public static ResponseFormatJsonSchema forNames(List<String> shownNames) {
        Map<String, Object> scoreProperties = new LinkedHashMap<>();
        for (String name : shownNames) {
            // strict mode (OpenAI) accepts no minimum/maximum on every model; the range is in the description
            // and the parser clamps into 0..4 as for text replies
            scoreProperties.put(name, Map.of("type", "number", "description", "relevance 0..4"));
        }
        Map<String, Object> scores = Map.of("type", "object", "properties", scoreProperties,
                "required", List.copyOf(shownNames), "additionalProperties", false);
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("reasoning", Map.of("type", "string"));
        properties.put("scores", scores);
        ResponseFormatJsonSchema.JsonSchema.Schema.Builder schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(properties))
                .putAdditionalProperty("required", JsonValue.from(List.of("reasoning", "scores")))
                .putAdditionalProperty("additionalProperties", JsonValue.from(false));
        return ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                .name(NAME).strict(true).schema(schema.build()).build()).build();
    }

    /**
     * Scores by item id from a reply that is exactly one JSON object of the schema's shape with a number for
     * every candidate; empty when it is anything else (an endpoint that ignored the schema answers prose), and
     * the caller then reads the reply as text.
     */
    public static Optional<Map<String, Float>> parseStrict(String reply, CandidateNames names) {
        JsonNode root;
        try {
            root = reply == null ? null : JSON.readTree(reply);
        } catch (Exception e) {
            return Optional.empty();
        }
        if (root == null || !root.isObject() || !root.path("scores").isObject()) {
            return Optional.empty();
        }
        JsonNode scores = root.get("scores");
        Map<String, Float> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> shown : names.shownToItem().entrySet()) {
            JsonNode v = scores.get(shown.getKey());
            if (v == null || !v.isNumber() || Double.isNaN(v.asDouble())) {
                return Optional.empty();
            }
            out.put(shown.getValue(), (float) Math.max(0, Math.min(4, v.asDouble())));
        }
        return Optional.of(out);
    }
}
