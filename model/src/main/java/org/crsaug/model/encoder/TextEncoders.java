package org.crsaug.model.encoder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;

/**
 * Builds the encoder named by {@code retriever.encoder}: a bundled ONNX model
 * ({@link OnnxModelSpec#BUNDLED}) or {@code openai} for an OpenAI-compatible endpoint.
 */
public final class TextEncoders {

    public static final String ENCODER_KEY = "retriever.encoder";
    public static final String BATCH_SIZE_KEY = "retriever.batch.size";

    private static final List<String> NAMES = names(OnnxModelSpec.BUNDLED);

    private TextEncoders() {
    }

    private static List<String> names(List<OnnxModelSpec> bundled) {
        List<String> names = new ArrayList<>();
        bundled.forEach(s -> names.add(s.name()));
        names.add(OpenAiEncoder.NAME);
        return List.copyOf(names);
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
        return create(config, cacheDir, System.getenv());
    }

    /**
     * Refuses what {@link #create} would refuse (an unknown name, a bad batch size, the {@code openai} settings
     * and its key), loading no model and opening no connection: commands check it before any work starts.
     */
    public static void checkSettings(CrsConfig config, Map<String, String> environment) {
        String name = checkedName(config);
        if (name.equals(OpenAiEncoder.NAME)) {
            OpenAiEncoder.apiKey(OpenAiEncoder.Settings.from(config), environment);
        } else if (!NAMES.contains(name)) {
            throw unknown(config);
        }
    }

    private static String checkedName(CrsConfig config) {
        int batchSize = config.getInt(BATCH_SIZE_KEY);
        if (batchSize < 1) {
            throw new ConfigException("Configuration '" + BATCH_SIZE_KEY + "' must be at least 1, got " + batchSize);
        }
        return config.get(ENCODER_KEY).trim().toLowerCase(Locale.ROOT);
    }

    private static ConfigException unknown(CrsConfig config) {
        return new ConfigException("Unknown " + ENCODER_KEY + " '" + config.get(ENCODER_KEY) + "'; valid names: "
                + String.join(", ", NAMES));
    }

    /** @param environment where {@code retriever.encoder.openai.api.key.env} is looked up */
    public static TextEncoder create(CrsConfig config, Path cacheDir, Map<String, String> environment) {
        String name = checkedName(config);
        int batchSize = config.getInt(BATCH_SIZE_KEY);
        if (name.equals(MiniLmEncoder.NAME)) {
            return new MiniLmEncoder(cacheDir, batchSize);
        }
        for (OnnxModelSpec spec : OnnxModelSpec.BUNDLED) {
            if (name.equals(spec.name())) {
                return new OnnxEncoder(spec, cacheDir, batchSize);
            }
        }
        if (name.equals(OpenAiEncoder.NAME)) {
            return new OpenAiEncoder(OpenAiEncoder.Settings.from(config), environment);
        }
        throw unknown(config);
    }
}
