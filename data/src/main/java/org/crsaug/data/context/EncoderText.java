package org.crsaug.data.context;

import java.util.Map;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.schema.Item;

/**
 * How a context becomes the text the encoder reads ({@link RetrievalText#forEncoder}), from the settings that
 * decide it. Every path that encodes a context (retriever, evaluation, simulation, serving, recommend) reads it
 * from here, so a model is never scored on text made differently from the text it was trained on.
 *
 * @param dialogueMaxChars {@code retriever.context.max.chars}: the most dialogue text, as the judge also gets it
 * @param totalMaxChars    {@code retriever.context.encoder.max.chars}: bound on the whole text, notes included
 *                         (0 = none)
 * @param enrich           {@code retriever.context.enrich}: notes about the films mentioned go in front
 */
public record EncoderText(int dialogueMaxChars, int totalMaxChars, boolean enrich) {

    public static final String TOTAL_MAX_CHARS_KEY = "retriever.context.encoder.max.chars";

    public static EncoderText fromConfig(CrsConfig config) {
        return new EncoderText(config.getInt("retriever.context.max.chars"), config.getInt(TOTAL_MAX_CHARS_KEY),
                config.getBoolean("retriever.context.enrich"));
    }

    /** The encoder's text for this context. */
    public String of(DialogueContext c, Map<String, Item> items) {
        return RetrievalText.forEncoder(c, dialogueMaxChars, totalMaxChars, enrich, items);
    }
}
