package org.crsaug.model.encoder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A bundled quantised sentence encoder ({@link OnnxModelSpec}) run by ONNX Runtime on the CPU: the
 * files come out of the langchain4j jar ({@link BundledModelFiles}), each text becomes one vector in
 * one graph call ({@link OrtEmbedder}), and the calls run one per core side by side
 * ({@link CallPool}). Queries and documents get the spec's prefixes first.
 *
 * <p>Texts go to the pool {@code batchSize} at a time, longest first, but the graph sees one unpadded sequence
 * per call.
 * The quantised graph rescales activations with DynamicQuantizeLinear, whose scale is the min/max over
 * the whole input tensor, so in a padded multi-row call every row depends on its neighbours (measured:
 * cosine as low as 0.96 against the same text encoded alone). Vectors are cached per text under
 * {@link #id()}, so a text must map to one vector whatever it was batched with.
 */
public class OnnxEncoder implements TextEncoder {

    private final OnnxModelSpec spec;
    private final int batchSize;
    private final String id;
    private final CallPool<String, float[]> pool;

    public OnnxEncoder(OnnxModelSpec spec, Path cacheDir, int batchSize) {
        this(spec, cacheDir, batchSize, Runtime.getRuntime().availableProcessors());
    }

    /** @param threads graph calls run at once (each on one core); 1 encodes on the caller's thread only */
    public OnnxEncoder(OnnxModelSpec spec, Path cacheDir, int batchSize, int threads) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.spec = Objects.requireNonNull(spec, "spec");
        this.batchSize = batchSize;
        BundledModelFiles files = BundledModelFiles.extract(spec, cacheDir);
        // the model digest is part of the id so that a different bundled model invalidates cached vectors
        this.id = spec.name() + "-q@" + spec.maxTokens() + "#" + files.modelDigest().substring(0, 12);
        OrtEmbedder graph = OrtEmbedder.open(spec, files);
        this.pool = new CallPool<>(graph::embed, graph, threads, "Encoder " + id, spec.name() + "-encoder-");
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int dimension() {
        return spec.dimension();
    }

    public int batchSize() {
        return batchSize;
    }

    public OnnxModelSpec spec() {
        return spec;
    }

    @Override
    public float[][] encode(List<String> texts) {
        return run(texts, spec.documentPrefix());
    }

    @Override
    public float[][] encodeQueries(List<String> texts) {
        return run(texts, spec.queryPrefix());
    }

    private float[][] run(List<String> texts, String prefix) {
        Objects.requireNonNull(texts, "texts");
        int n = texts.size();
        // Longest texts first: a call's threads drain one queue, so the call ends when its last text does,
        // and a short text last keeps the other cores busy almost to the end. A dialogue's later contexts
        // are its longest, so in their own order the longest came last and its core ran on alone (the
        // vectors do not depend on the order: every text is its own graph call).
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingInt((Integer i) -> -length(texts.get(i))));
        float[][] sorted = new float[n][];
        // at least one call, even for no texts, so a closed encoder always refuses
        int from = 0;
        do {
            int to = Math.min(from + batchSize, n);
            List<String> batch = new ArrayList<>(to - from);
            for (int j = from; j < to; j++) {
                String t = texts.get(order[j]);
                // null is treated like empty text rather than crashing the native tokenizer
                batch.add(prefix + (t == null ? "" : t));
            }
            pool.applyAll(batch, sorted, from);
            from = to;
        } while (from < n);
        float[][] out = new float[n][];
        for (int j = 0; j < n; j++) {
            out[order[j]] = sorted[j];
        }
        return out;
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    @Override
    public final void close() {
        // the pool closes the graph once no call runs any more
        pool.close();
    }
}
