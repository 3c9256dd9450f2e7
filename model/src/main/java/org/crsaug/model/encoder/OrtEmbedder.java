package org.crsaug.model.encoder;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One text in, one sentence vector out: tokenises the text, runs the graph on it as one unpadded sequence
 * through an ONNX Runtime session, and turns the token states into the spec's pooling (masked mean or
 * [CLS]), L2-normalised.
 *
 * <p>ONNX Runtime's own Java API rather than DJL's predictor over it: DJL added about 160 µs of fixed cost per
 * call (a predictor context, an NDManager and NDArray wrappers per text, the output attached and copied out),
 * which was 5% of a short text's call and left the pipeline's encoder below 0.95x of a bare session on short
 * texts (docs/benchmarks.md). Both run the same native library on the same graph with the same session
 * options, and give the same bits.
 *
 * <p>Thread-safe: an ONNX Runtime session may be run from several threads at once, and so may the Rust
 * tokenizer. The caller closes this once no call can run any more.
 */
final class OrtEmbedder implements AutoCloseable {

    private static final List<String> KNOWN_INPUTS = List.of("input_ids", "attention_mask", "token_type_ids");
    private static final String HIDDEN_STATES = "last_hidden_state";

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OnnxModelSpec spec;
    private final HuggingFaceTokenizer tokenizer;
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    /** The graph's inputs; the exported graphs differ in whether token_type_ids exists. */
    private final List<String> inputNames;
    private final String output;
    /** The one output every call asks for (the graphs may have more, e.g. a pooler output we do not use). */
    private final Set<String> requested;

    private OrtEmbedder(OnnxModelSpec spec, HuggingFaceTokenizer tokenizer, OrtSession.SessionOptions options,
            OrtSession session) throws OrtException {
        this.spec = spec;
        this.tokenizer = tokenizer;
        this.options = options;
        this.session = session;
        this.inputNames = List.copyOf(session.getInputNames());
        for (String n : inputNames) {
            if (!KNOWN_INPUTS.contains(n)) {
                throw new IllegalStateException("Unexpected model input '" + n + "'; expected some of " + KNOWN_INPUTS);
            }
        }
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        this.output = outputs.containsKey(HIDDEN_STATES) ? HIDDEN_STATES : outputs.keySet().iterator().next();
        this.requested = Set.of(output);
    }

    /** Opens the graph and the tokenizer of {@code files}; every failure closes what was already opened. */
    static OrtEmbedder open(OnnxModelSpec spec, BundledModelFiles files) {
        HuggingFaceTokenizer tokenizer = null;
        OrtSession.SessionOptions options = null;
        OrtSession session = null;
        try {
            // tokenizer.json may pin padding and truncation (MiniLM's says 128); these settings replace that,
            // and padding stays off because pad positions would also feed the quantisation range
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(files.tokenizer())
                    .optMaxLength(spec.maxTokens())
                    .optTruncation(true)
                    .optPadding(false)
                    .optAddSpecialTokens(true)
                    .build();
            options = new OrtSession.SessionOptions();
            // the cores are used by calls side by side (see OnnxEncoder), not by threading one call
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            session = OrtEnvironment.getEnvironment().createSession(files.model().toString(), options);
            return new OrtEmbedder(spec, tokenizer, options, session);
        } catch (IOException | OrtException | RuntimeException e) {
            closeQuietly(session);
            closeQuietly(options);
            closeQuietly(tokenizer);
            throw new IllegalStateException("Cannot load " + spec.name() + " from " + files.model() + ": "
                    + e.getMessage(), e);
        }
    }

    float[] embed(String text) throws OrtException {
        Encoding encoding = tokenizer.encode(text);
        long[] mask = encoding.getAttentionMask();
        Map<String, long[]> byName = Map.of(
                "input_ids", encoding.getIds(),
                "attention_mask", mask,
                "token_type_ids", encoding.getTypeIds());
        long[] shape = {1, mask.length};
        Map<String, OnnxTensor> inputs = new HashMap<>(4);
        try {
            for (String name : inputNames) {
                // flat buffers: the Java API copies them into native memory once, with no nested arrays to walk
                inputs.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(byName.get(name)), shape));
            }
            try (OrtSession.Result result = session.run(inputs, requested)) {
                OnnxValue value = result.get(0);
                if (!(value instanceof OnnxTensor hidden)) {
                    throw new IllegalStateException("Model output '" + output + "' is not a tensor");
                }
                long[] s = hidden.getInfo().getShape();
                if (s.length != 3 || s[0] != 1 || s[2] != spec.dimension()) {
                    throw new IllegalStateException("Model produced states of shape " + Arrays.toString(s)
                            + ", expected [1, T, " + spec.dimension() + "]");
                }
                return pool(hidden.getFloatBuffer(), (int) s[1], mask);
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private float[] pool(FloatBuffer states, int tokens, long[] mask) {
        int dimension = spec.dimension();
        double[] sum = new double[dimension];
        long counted = 0;
        // [CLS] is the first token: the tokenizer adds it, so position 0 is always it
        int last = spec.pooling() == OnnxModelSpec.Pooling.CLS ? Math.min(tokens, 1) : tokens;
        for (int t = 0; t < last; t++) {
            // the tokenizer pads nothing today; honouring the mask keeps pooling right if that changes
            if (mask[t] == 0) {
                continue;
            }
            counted++;
            int base = t * dimension;
            for (int d = 0; d < dimension; d++) {
                sum[d] += states.get(base + d);
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

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // already failing to open: the first error is the one to report
        }
    }

    @Override
    public void close() {
        try (HuggingFaceTokenizer t = tokenizer; OrtSession.SessionOptions o = options; OrtSession s = session) {
            // closed by try-with-resources, the session first
        } catch (OrtException e) {
            throw new IllegalStateException("Closing " + spec.name() + " failed: " + e.getMessage(), e);
        }
    }
}
