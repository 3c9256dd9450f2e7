package org.crsaug.model.encoder;

import java.nio.file.Path;

/** The default encoder: quantised all-MiniLM-L6-v2, as {@link OnnxEncoder} runs every bundled model. */
public final class MiniLmEncoder extends OnnxEncoder {

    public static final String NAME = OnnxModelSpec.ALL_MINILM_L6_V2.name();
    public static final String MODEL_RESOURCE = OnnxModelSpec.ALL_MINILM_L6_V2.modelResource();
    public static final String TOKENIZER_RESOURCE = OnnxModelSpec.ALL_MINILM_L6_V2.tokenizerResource();
    public static final int MAX_TOKENS = OnnxModelSpec.ALL_MINILM_L6_V2.maxTokens();
    public static final int DIMENSION = OnnxModelSpec.ALL_MINILM_L6_V2.dimension();

    public MiniLmEncoder(Path cacheDir, int batchSize) {
        super(OnnxModelSpec.ALL_MINILM_L6_V2, cacheDir, batchSize);
    }
}
