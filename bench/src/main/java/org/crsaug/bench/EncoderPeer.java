package org.crsaug.bench;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.crsaug.model.encoder.BundledModelFiles;
import org.crsaug.model.encoder.OnnxEncoder;

/**
 * The encoder against its peer: texts/s through the pipeline's encoder ({@link OnnxEncoder}, what the retriever
 * calls) and through a bare ONNX Runtime session on the same graph file, the same tokenizer file and the same
 * number of threads, per token-length bin. The bare side is what a person would write by hand: tokenize, one
 * {@code session.run} per text, pool and normalise; each of its threads runs calls on a session of one intra-op
 * thread, as the pipeline's pool does. The vectors of both sides are compared too (same graph, same single-row
 * input: they should be identical).
 */
final class EncoderPeer {

    /** Upper bounds (inclusive) of the token-length bins; a text longer than the last falls in the last. */
    static final int[] BIN_TOP = {32, 64, 128, 256, 512};

    /**
     * One bin's result: the median rate of each side, and the median over the timed pairs of one side's rate
     * over the other's in the same pair (not the ratio of the medians; see measure).
     */
    record Bin(String label, int texts, double meanTokens, double pipelinePerSecond, double barePerSecond,
            double ratio, float maxDifference) {
    }

    private final OnnxEncoder pipeline;
    private final int threads;
    private final int repeats;
    /** The least length of one timed run (see rate). */
    private static final double MIN_RUN_SECONDS = 0.4;
    /**
     * Timed pairs of a bin of short passes: fewer left single-run ratios of ±0.1 (see measure); with 9 the
     * median still moved by about ±0.05 between runs of the command with the same code on both sides.
     */
    private static final int MIN_PAIRS = 21;
    /** Timed seconds a bin's pairs may take together, where one pass is long (see measure). */
    private static final double PAIR_SECONDS = 40.0;
    private final PrintStream out;

    /** @param pipeline the encoder as the pipeline builds it; its graph is opened a second time, bare */
    EncoderPeer(OnnxEncoder pipeline, int threads, int repeats, PrintStream out) {
        this.pipeline = pipeline;
        this.threads = threads;
        this.repeats = repeats;
        this.out = out;
    }

    List<Bin> run(List<String> texts, Path modelCache) {
        BundledModelFiles files = BundledModelFiles.extract(pipeline.spec(), modelCache);
        String prefix = pipeline.spec().queryPrefix();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<Bin> bins = new ArrayList<>();
        try (HuggingFaceTokenizer tokenizer = tokenizer(files.tokenizer());
                OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(files.model().toString(), options)) {
                Bare bare = new Bare(env, session, tokenizer, prefix, pipeline.spec().pooling(), threads);
                out.printf(Locale.ROOT, "encoder %s, graph %s, %d threads on both sides, %d texts, per bin the median"
                        + " of %d-%d back-to-back pairs of runs%n", pipeline.id(), files.model().getFileName(), threads,
                        texts.size(), repeats, Math.max(repeats, MIN_PAIRS));
                out.printf(Locale.ROOT, "  %-12s %6s %7s %14s %14s %7s %s%n", "tokens", "texts", "mean", "pipeline/s",
                        "bare ORT/s", "ratio", "vectors");
                Map<Integer, List<String>> byBin = new HashMap<>();
                Map<Integer, Long> tokenSums = new HashMap<>();
                for (String t : texts) {
                    int tokens = tokenizer.encode(prefix + t).getIds().length;
                    int bin = binOf(tokens);
                    byBin.computeIfAbsent(bin, b -> new ArrayList<>()).add(t);
                    tokenSums.merge(bin, (long) tokens, Long::sum);
                }
                for (int b = 0; b < BIN_TOP.length; b++) {
                    List<String> in = byBin.get(b);
                    if (in == null) {
                        continue;
                    }
                    Bin bin = measure(label(b), in, tokenSums.get(b) / (double) in.size(), bare);
                    bins.add(bin);
                    out.printf(Locale.ROOT, "  %-12s %6d %7.1f %14.1f %14.1f %6.2fx %s%n", bin.label(), bin.texts(),
                            bin.meanTokens(), bin.pipelinePerSecond(), bin.barePerSecond(), bin.ratio(),
                            bin.maxDifference() == 0 ? "identical" : "max |diff| " + bin.maxDifference());
                }
                bare.close();
            }
        } catch (OrtException e) {
            throw new IllegalStateException("The bare ONNX Runtime session on " + files.model() + " failed: "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bins;
    }

    private Bin measure(String label, List<String> texts, double meanTokens, Bare bare) throws OrtException {
        // untimed first pass of each side: JIT, the session's allocator and the pool's threads warm up
        long t0 = System.nanoTime();
        float[][] mine = pipeline.encodeQueries(texts);
        float[][] theirs = bare.encode(texts);
        double passSeconds = (System.nanoTime() - t0) / 2e9;
        float diff = 0;
        for (int i = 0; i < texts.size(); i++) {
            for (int d = 0; d < mine[i].length; d++) {
                diff = Math.max(diff, Math.abs(mine[i][d] - theirs[i][d]));
            }
        }
        // Pairs of short runs, one of each side back to back, and the median of the pairs' ratios: the machine's
        // speed drifts by ±10% over seconds (other guests share the host), which a pair sees alike on both sides.
        // Three one-second runs a side gave a bin 0.99x in one run of the command and 0.87x in the next. A bin
        // whose one pass outlasts a run (long texts: several seconds) averages over its length already, so it
        // gets as many pairs as fit PAIR_SECONDS, but never fewer than --repeats.
        double runSeconds = Math.max(MIN_RUN_SECONDS, passSeconds);
        int pairs = Math.max(repeats, Math.min(MIN_PAIRS, (int) Math.ceil(PAIR_SECONDS / (2 * runSeconds))));
        double[] p = new double[pairs];
        double[] b = new double[pairs];
        double[] ratios = new double[pairs];
        for (int r = 0; r < pairs; r++) {
            // alternate which side goes first, so a change in the machine's load hits both alike
            if (r % 2 == 0) {
                p[r] = rate(() -> pipeline.encodeQueries(texts), texts.size());
                b[r] = rate(() -> bare.encode(texts), texts.size());
            } else {
                b[r] = rate(() -> bare.encode(texts), texts.size());
                p[r] = rate(() -> pipeline.encodeQueries(texts), texts.size());
            }
            ratios[r] = p[r] / b[r];
        }
        return new Bin(label, texts.size(), meanTokens, Stats.median(p), Stats.median(b), Stats.median(ratios), diff);
    }

    private interface Pass {
        void run() throws OrtException;
    }

    /**
     * Texts/s of whole passes over a bin, repeated until {@link #MIN_RUN_SECONDS} have passed: one pass over a
     * bin of a few dozen short texts lasts a tenth of a second, and a single scheduling hiccup then moves its
     * ratio by several percent.
     */
    private static double rate(Pass pass, int texts) throws OrtException {
        long t0 = System.nanoTime();
        int passes = 0;
        double seconds;
        do {
            pass.run();
            passes++;
            seconds = (System.nanoTime() - t0) / 1e9;
        } while (seconds < MIN_RUN_SECONDS);
        return (double) texts * passes / seconds;
    }

    static int binOf(int tokens) {
        for (int b = 0; b < BIN_TOP.length; b++) {
            if (tokens <= BIN_TOP[b]) {
                return b;
            }
        }
        return BIN_TOP.length - 1;
    }

    static String label(int bin) {
        return (bin == 0 ? 1 : BIN_TOP[bin - 1] + 1) + "-" + BIN_TOP[bin];
    }

    /** The tokenizer exactly as the pipeline's translator configures it (no padding, truncated at the spec). */
    private HuggingFaceTokenizer tokenizer(Path file) throws IOException {
        return HuggingFaceTokenizer.builder().optTokenizerPath(file).optMaxLength(pipeline.spec().maxTokens())
                .optTruncation(true).optPadding(false).optAddSpecialTokens(true).build();
    }

    /** The hand-written peer: tokenizer, one session call per text, pooling, L2 norm; {@code threads} callers. */
    private static final class Bare implements AutoCloseable {
        private final OrtEnvironment env;
        private final OrtSession session;
        private final HuggingFaceTokenizer tokenizer;
        private final String prefix;
        private final boolean cls;
        private final ExecutorService workers;
        private final int threads;

        Bare(OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer, String prefix,
                org.crsaug.model.encoder.OnnxModelSpec.Pooling pooling, int threads) {
            this.env = env;
            this.session = session;
            this.tokenizer = tokenizer;
            this.prefix = prefix;
            this.cls = pooling == org.crsaug.model.encoder.OnnxModelSpec.Pooling.CLS;
            this.threads = threads;
            this.workers = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "bare-ort");
                t.setDaemon(true);
                return t;
            });
        }

        float[][] encode(List<String> texts) throws OrtException {
            float[][] out = new float[texts.size()][];
            AtomicInteger next = new AtomicInteger();
            List<Future<Void>> running = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                running.add(workers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < texts.size(); i = next.getAndIncrement()) {
                        out[i] = one(texts.get(i));
                    }
                    return null;
                }));
            }
            try {
                for (Future<Void> f : running) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof OrtException o) {
                    throw o;
                }
                throw new IllegalStateException(e.getCause());
            }
            return out;
        }

        private float[] one(String text) throws OrtException {
            Encoding enc = tokenizer.encode(prefix + text);
            long[] mask = enc.getAttentionMask();
            Map<String, long[]> byName = Map.of("input_ids", enc.getIds(), "attention_mask", mask,
                    "token_type_ids", enc.getTypeIds());
            Map<String, OnnxTensor> inputs = new HashMap<>();
            try {
                long[] shape = {1, mask.length};
                for (String name : session.getInputNames()) {
                    // flat buffers in and out: the cheapest way through the Java API, no nested-array copies
                    inputs.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(byName.get(name)), shape));
                }
                try (OrtSession.Result result = session.run(inputs)) {
                    OnnxTensor hidden = (OnnxTensor) result.get(0);
                    long[] outShape = hidden.getInfo().getShape();
                    int tokens = (int) outShape[1];
                    int dim = (int) outShape[2];
                    FloatBuffer states = hidden.getFloatBuffer();
                    double[] sum = new double[dim];
                    int last = cls ? Math.min(tokens, 1) : tokens;
                    long counted = 0;
                    for (int t = 0; t < last; t++) {
                        if (mask[t] == 0) {
                            continue;
                        }
                        counted++;
                        for (int d = 0; d < dim; d++) {
                            sum[d] += states.get(t * dim + d);
                        }
                    }
                    double norm = 0;
                    for (int d = 0; d < dim; d++) {
                        sum[d] /= Math.max(counted, 1);
                        norm += sum[d] * sum[d];
                    }
                    norm = Math.max(Math.sqrt(norm), 1e-12);
                    float[] v = new float[dim];
                    for (int d = 0; d < dim; d++) {
                        v[d] = (float) (sum[d] / norm);
                    }
                    return v;
                }
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }

        @Override
        public void close() {
            workers.shutdownNow();
        }
    }
}
