package org.crsaug.model.encoder;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import ai.djl.util.PairList;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Tokenises one text, feeds it to the graph as one unpadded sequence and turns its token states into
 * the spec's pooling (masked mean or [CLS]), L2-normalised.
 *
 * <p>Every predictor of the model shares this translator and its tokenizer (the Rust tokenizer is
 * safe to call from several threads); the tokenizer is native memory, so whoever owns the model
 * closes this once no prediction can run any more.
 */
final class PoolingTranslator implements NoBatchifyTranslator<String, float[]>, AutoCloseable {

    private static final String MASK_KEY = "attention_mask";
    private static final List<String> KNOWN_INPUTS = List.of("input_ids", "attention_mask", "token_type_ids");

    private final HuggingFaceTokenizer tokenizer;
    private final int dimension;
    private final OnnxModelSpec.Pooling pooling;
    /** Graph input names in graph order; the exported graphs differ in whether token_type_ids exists. */
    private volatile List<String> inputNames = KNOWN_INPUTS;

    private PoolingTranslator(HuggingFaceTokenizer tokenizer, int dimension, OnnxModelSpec.Pooling pooling) {
        this.tokenizer = tokenizer;
        this.dimension = dimension;
        this.pooling = pooling;
    }

    static PoolingTranslator forSpec(OnnxModelSpec spec, Path tokenizerFile) throws IOException {
        // tokenizer.json may pin padding and truncation (MiniLM's says 128); these settings replace that,
        // and padding stays off because pad positions would also feed the quantisation range
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(tokenizerFile)
                .optMaxLength(spec.maxTokens())
                .optTruncation(true)
                .optPadding(false)
                .optAddSpecialTokens(true)
                .build();
        return new PoolingTranslator(tokenizer, spec.dimension(), spec.pooling());
    }

    @Override
    public void prepare(TranslatorContext ctx) {
        PairList<String, Shape> inputs = ctx.getModel().describeInput();
        if (inputs == null || inputs.isEmpty()) {
            return;
        }
        for (String n : inputs.keys()) {
            if (!KNOWN_INPUTS.contains(n)) {
                throw new IllegalStateException("Unexpected model input '" + n + "'; expected some of " + KNOWN_INPUTS);
            }
        }
        inputNames = List.copyOf(inputs.keys());
    }

    @Override
    public NDList processInput(TranslatorContext ctx, String text) {
        Encoding encoding = tokenizer.encode(text);
        long[] ids = encoding.getIds();
        ctx.setAttachment(MASK_KEY, encoding.getAttentionMask());
        Map<String, long[]> byName = Map.of(
                "input_ids", ids,
                "attention_mask", encoding.getAttentionMask(),
                "token_type_ids", encoding.getTypeIds());
        NDManager nd = ctx.getNDManager();
        Shape shape = new Shape(1, ids.length);
        NDList list = new NDList(inputNames.size());
        for (String name : inputNames) {
            NDArray a = nd.create(byName.get(name), shape);
            a.setName(name);
            list.add(a);
        }
        return list;
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList output) {
        NDArray hidden = output.get("last_hidden_state");
        if (hidden == null) {
            hidden = output.head();
        }
        Shape s = hidden.getShape();
        if (s.dimension() != 3 || s.get(0) != 1 || s.get(2) != dimension) {
            throw new IllegalStateException("Model produced states of shape " + s + ", expected (1, T, " + dimension + ")");
        }
        int tokens = (int) s.get(1);
        long[] mask = (long[]) ctx.getAttachment(MASK_KEY);
        float[] states = hidden.toFloatArray();
        double[] sum = new double[dimension];
        long counted = 0;
        // [CLS] is the first token: the tokenizer adds it, so position 0 is always it
        int last = pooling == OnnxModelSpec.Pooling.CLS ? Math.min(tokens, 1) : tokens;
        for (int t = 0; t < last; t++) {
            // the tokenizer pads nothing today; honouring the mask keeps pooling right if that changes
            if (mask[t] == 0) {
                continue;
            }
            counted++;
            int base = t * dimension;
            for (int d = 0; d < dimension; d++) {
                sum[d] += states[base + d];
            }
        }
        double norm = 0;
        for (int d = 0; d < dimension; d++) {
            sum[d] /= Math.max(counted, 1);
            norm += sum[d] * sum[d];
        }
        norm = Math.max(Math.sqrt(norm), 1e-12);
        float[] row = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            row[d] = (float) (sum[d] / norm);
        }
        return row;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
