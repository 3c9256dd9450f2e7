package org.crsaug.data.dataset;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams the entries of a file that is one big JSON object ({@code id2info.json},
 * {@code entity2id.json}), remembering the line each entry starts on so that a bad entry can be
 * reported like a bad line of a JSON-lines file.
 */
final class JsonObjectFile {

    @FunctionalInterface
    interface Handler {
        void entry(String key, JsonNode value, long lineNumber);
    }

    // entries are read one at a time from a shared parser, so the rest of the file is not "trailing"
    private static final ObjectReader ENTRY_READER = JsonFields.MAPPER.readerFor(JsonNode.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonObjectFile() {
    }

    /** A file that is not a JSON object at all is unusable as a whole and ends the read. */
    static void forEachEntry(Path file, Handler handler) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8));
             JsonParser p = JsonFields.MAPPER.getFactory().createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalStateException(file + " must be one JSON object keyed by id");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                long line = p.currentTokenLocation().getLineNr();
                p.nextToken();
                JsonNode value = ENTRY_READER.readValue(p);
                handler.entry(key, value, line);
            }
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(new IOException(file + " is not valid JSON: " + e.getMessage(), e));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The entry on its own, as a one-line JSON object, so it can be corrected and fed back. */
    static String raw(String key, JsonNode value) {
        try {
            return JsonFields.MAPPER.writeValueAsString(
                    JsonFields.MAPPER.createObjectNode().set(key, value));
        } catch (JsonProcessingException e) {
            return key + ": " + value;
        }
    }
}
