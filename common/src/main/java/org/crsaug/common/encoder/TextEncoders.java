package org.crsaug.common.encoder;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.crsaug.common.config.ConfigException;
import org.crsaug.common.config.CrsConfig;

/** Builds the encoder named by {@code retriever.encoder}. */
public final class TextEncoders {

    public static final String ENCODER_KEY = "retriever.encoder";
    public static final String BATCH_SIZE_KEY = "retriever.batch.size";

    private static final List<String> NAMES = List.of(MiniLmEncoder.NAME);

    private TextEncoders() {
    }

    /** Encoder names accepted by {@link #create}. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * @param cacheDir where model files are unpacked; reused across runs
     * @throws ConfigException for an unknown encoder name or a non-positive batch size
     */
    public static TextEncoder create(CrsConfig config, Path cacheDir) {
        String name = config.get(ENCODER_KEY).trim().toLowerCase(Locale.ROOT);
        int batchSize = config.getInt(BATCH_SIZE_KEY);
        if (batchSize < 1) {
            throw new ConfigException("Configuration '" + BATCH_SIZE_KEY + "' must be at least 1, got " + batchSize);
        }
        if (name.equals(MiniLmEncoder.NAME)) {
            return new MiniLmEncoder(cacheDir, batchSize);
        }
        throw new ConfigException("Unknown " + ENCODER_KEY + " '" + config.get(ENCODER_KEY) + "'; valid names: "
                + String.join(", ", NAMES));
    }
}
