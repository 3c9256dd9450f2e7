package org.crsaug.model.encoder;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import ai.djl.util.PairList;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A bundled quantised sentence encoder ({@link OnnxModelSpec}) run by DJL on ONNX Runtime (CPU).
 *
 * <p>The model and tokenizer come from a langchain4j artifact's resources; ONNX Runtime and the
 * Rust tokenizer need real files, so both are materialised in a cache directory first. Output rows
 * are the spec's pooling of the last hidden state (masked mean or [CLS]), L2-normalised. Queries and
 * documents get the spec's prefixes before tokenising.
 *
 * <p>Texts are tokenised {@code batchSize} at a time, but the graph sees one unpadded sequence per call.
 * The quantised graph rescales activations with DynamicQuantizeLinear, whose scale is the min/max over
 * the whole input tensor, so in a padded multi-row call every row depends on its neighbours (measured:
 * cosine as low as 0.96 against the same text encoded alone). Vectors are cached per text under
 * {@link #id()}, so a text must map to one vector whatever it was batched with.
 */
public class OnnxEncoder implements TextEncoder {

    private static final String ENGINE = "OnnxRuntime";

    private final OnnxModelSpec spec;
    private final int batchSize;
    private final String id;
    private final HuggingFaceTokenizer tokenizer;
    private final ZooModel<Encoding, float[]> model;
    /** Every predictor handed out, so close() can release those whose threads are still alive or gone. */
    private final ConcurrentLinkedQueue<Predictor<Encoding, float[]>> predictors = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<Predictor<Encoding, float[]>> threadPredictor;
    /** Encodes share the read side; close() takes the write side so it never frees a model in use. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;
    /**
     * Texts are encoded one per graph call (see the class comment), so the cores are used by running
     * calls side by side, each single-threaded inside ONNX Runtime, rather than by threading one call.
     */
    private final ExecutorService workers;
    private final int threads;

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
        this.threads = threads;
        this.spec = Objects.requireNonNull(spec, "spec");
        this.batchSize = batchSize;
        Path dir = cacheDir.resolve(spec.name() + "-q");
        Path modelFile;
        Path tokenizerFile;
        String modelDigest;
        try {
            Files.createDirectories(dir);
            modelDigest = materialise(spec.modelResource(), dir.resolve("model.onnx"), spec.artifact());
            modelFile = dir.resolve("model.onnx");
            materialise(spec.tokenizerResource(), dir.resolve("tokenizer.json"), spec.artifact());
            tokenizerFile = dir.resolve("tokenizer.json");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare encoder files in " + dir, e);
        }
        // the model digest is part of the id so that a different bundled model invalidates cached vectors
        this.id = spec.name() + "-q@" + spec.maxTokens() + "#" + modelDigest.substring(0, 12);

        HuggingFaceTokenizer tok = null;
        try {
            // tokenizer.json may pin padding and truncation (MiniLM's says 128); these settings replace that,
            // and padding stays off because pad positions would also feed the quantisation range
            tok = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerFile)
                    .optMaxLength(spec.maxTokens())
                    .optTruncation(true)
                    .optPadding(false)
                    .optAddSpecialTokens(true)
                    .build();
            Criteria<Encoding, float[]> criteria = Criteria.builder()
                    .setTypes(Encoding.class, float[].class)
                    .optEngine(ENGINE)
                    .optDevice(Device.cpu())
                    .optModelPath(modelFile)
                    .optOption("intraOpNumThreads", "1")
                    .optOption("interOpNumThreads", "1")
                    .optTranslator(new PoolingTranslator(spec.dimension(), spec.pooling()))
                    .build();
            this.model = criteria.loadModel();
        } catch (IOException | ModelNotFoundException | MalformedModelException e) {
            if (tok != null) {
                tok.close();
            }
            throw new IllegalStateException("Cannot load " + spec.name() + " from " + modelFile + ": " + e.getMessage(), e);
        }
        this.tokenizer = tok;
        this.threadPredictor = ThreadLocal.withInitial(() -> {
            Predictor<Encoding, float[]> p = model.newPredictor();
            predictors.add(p);
            return p;
        });
        AtomicInteger workerNumber = new AtomicInteger();
        this.workers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, spec.name() + "-encoder-" + workerNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
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
        float[][] out = new float[texts.size()][];
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("Encoder " + id + " is closed");
            }
            Predictor<Encoding, float[]> predictor = threadPredictor.get();
            for (int from = 0; from < texts.size(); from += batchSize) {
                int to = Math.min(from + batchSize, texts.size());
                List<String> batch = new ArrayList<>(to - from);
                for (String t : texts.subList(from, to)) {
                    // null is treated like empty text rather than crashing the native tokenizer
                    batch.add(prefix + (t == null ? "" : t));
                }
                Encoding[] encodings = tokenizer.batchEncode(batch);
                predictAll(encodings, out, from, predictor);
            }
        } catch (TranslateException e) {
            throw new IllegalStateException("Encoding with " + id + " failed: " + e.getMessage(), e);
        } finally {
            lifecycle.readLock().unlock();
        }
        return out;
    }

    /**
     * One graph call per encoding, spread over the worker threads and the caller (each with its own
     * predictor). Every text is still encoded alone, so the result does not depend on the split.
     */
    private void predictAll(Encoding[] encodings, float[][] out, int offset, Predictor<Encoding, float[]> own)
            throws TranslateException {
        if (workers == null || encodings.length < 2) {
            for (int i = 0; i < encodings.length; i++) {
                out[offset + i] = own.predict(encodings[i]);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        java.util.concurrent.Callable<Void> drain = () -> {
            Predictor<Encoding, float[]> p = threadPredictor.get();
            for (int i = next.getAndIncrement(); i < encodings.length; i = next.getAndIncrement()) {
                out[offset + i] = p.predict(encodings[i]);
            }
            return null;
        };
        List<Future<Void>> helpers = new ArrayList<>();
        for (int w = 0; w < Math.min(threads - 1, encodings.length - 1); w++) {
            helpers.add(workers.submit(drain));
        }
        try {
            drain.call();
            for (Future<Void> f : helpers) {
                f.get();
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TranslateException t) {
                throw t;
            }
            throw new IllegalStateException("Encoding with " + id + " failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            helpers.forEach(f -> f.cancel(true));
            throw new IllegalStateException("Interrupted while encoding with " + id, e);
        } catch (TranslateException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Encoding with " + id + " failed: " + e, e);
        }
    }

    @Override
    public final void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (workers != null) {
                // their predictors are closed below; the threads themselves just need to end
                workers.shutdownNow();
            }
            Predictor<Encoding, float[]> p;
            while ((p = predictors.poll()) != null) {
                p.close();
            }
            try (ZooModel<?, ?> m = model; HuggingFaceTokenizer t = tokenizer) {
                // both released by try-with-resources, model first
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /**
     * Writes a classpath resource to {@code target} unless an identical copy is already there.
     * Writing goes through a temporary sibling and a rename so a concurrent reader or a crash
     * never leaves a half-written model behind.
     *
     * @return hex SHA-256 of the resource
     */
    static String materialise(String resource, Path target) throws IOException {
        return materialise(resource, target, "the langchain4j embeddings artifact");
    }

    static String materialise(String resource, Path target, String artifact) throws IOException {
        byte[] bytes;
        try (InputStream in = OnnxEncoder.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("Resource " + resource + " is not on the classpath; is " + artifact
                        + " a dependency?");
            }
            bytes = in.readAllBytes();
        }
        String digest = sha256(bytes);
        if (Files.isRegularFile(target) && Files.size(target) == bytes.length
                && digest.equals(sha256(Files.readAllBytes(target)))) {
            return digest;
        }
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            org.crsaug.platform.artifact.AtomicFiles.replace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return digest;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Feeds one sequence to the graph and turns its token states into a normalised sentence vector. */
    private static final class PoolingTranslator implements NoBatchifyTranslator<Encoding, float[]> {

        private final int dimension;
        private final OnnxModelSpec.Pooling pooling;

        PoolingTranslator(int dimension, OnnxModelSpec.Pooling pooling) {
            this.dimension = dimension;
            this.pooling = pooling;
        }

        private static final String MASK_KEY = "attention_mask";
        private static final List<String> KNOWN_INPUTS = List.of("input_ids", "attention_mask", "token_type_ids");

        /** Graph input names in graph order; the exported graphs differ in whether token_type_ids exists. */
        private volatile List<String> inputNames = KNOWN_INPUTS;

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
        public NDList processInput(TranslatorContext ctx, Encoding encoding) {
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
    }
}
