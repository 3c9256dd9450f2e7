package org.crsaug.model.recommender;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import org.crsaug.model.eval.RecallMetrics;

/**
 * A fitted recommender: scores every catalogue item for encoded contexts. Holds native memory (on the GPU
 * when one is used), so close it. Scoring from several threads at once is safe; closing while scoring is not.
 *
 * <p>File layout (big-endian): magic {@code CRSREC}, format version, backbone name, dimensions, training
 * settings, validation metrics, history, then every parameter (name, shape, floats), and finally a CRC32 of
 * all preceding bytes so a truncated or damaged file is rejected instead of silently scoring garbage.
 */
public final class TrainedRecommender implements AutoCloseable {

    private static final byte[] MAGIC = "CRSREC".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT_VERSION = 1;
    /** Rows per forward pass when scoring: bounds the (rows x items) output held on the device at once. */
    private static final int SCORE_BATCH = 256;

    private final Model model;
    private final Block block;
    private final Backbone backbone;
    private final NetworkDims dims;
    private final Map<String, String> settings;
    private final Map<String, Double> validationMetrics;
    private final List<EpochLog> history;
    private volatile boolean closed;

    private TrainedRecommender(Model model, Backbone backbone, NetworkDims dims, Map<String, String> settings,
                               Map<String, Double> validationMetrics, List<EpochLog> history) {
        this.model = model;
        this.block = model.getBlock();
        this.backbone = backbone;
        this.dims = dims;
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        this.validationMetrics = Collections.unmodifiableMap(new LinkedHashMap<>(validationMetrics));
        this.history = List.copyOf(history);
    }

    /** Builds a live model on the preferred device from host weights. */
    static TrainedRecommender create(Backbone backbone, NetworkDims dims, Weights weights, Map<String, String> settings,
                                     Map<String, Double> validationMetrics, List<EpochLog> history) {
        Model model = newModel(backbone, dims, weights, "crs-recommender");
        return new TrainedRecommender(model, backbone, dims, settings, validationMetrics, history);
    }

    /**
     * A model whose block holds {@code weights}. The random initial values drawn while building the block
     * are overwritten by the installed weights before anything is allocated on the device.
     */
    static Model newModel(Backbone backbone, NetworkDims dims, Weights weights, String name) {
        Device device = DjlRuntime.device();
        Model model = Model.newInstance(name, device, DjlRuntime.ENGINE);
        try {
            Block block = backbone.newBlock(dims, null, new Random(0));
            weights.installInto(block);
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, backbone.inputShapes(dims));
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Scores of every item for each context, computed in slices so large inputs do not need one giant
     * device allocation.
     */
    public float[][] score(float[][] contexts) {
        return score(contexts, null);
    }

    /**
     * Scores with the items each dialogue named so far ({@code mentioned[row]}, catalogue positions in order
     * of first mention); backbones without a collaborative path ignore them. Null means none anywhere.
     */
    public float[][] score(float[][] contexts, int[][] mentioned) {
        checkOpen();
        float[][] out = new float[contexts.length][];
        scoreInto(model, backbone, dims, contexts, mentioned, (row, scores) -> out[row] = scores);
        return out;
    }

    /** Recall/coverage of this model on {@code contexts}, streaming scores so the full matrix is never held. */
    public Map<String, Double> evaluate(List<EvalContext> contexts, RecallMetrics.Protocol protocol, int[] subset,
                                        int... ks) {
        checkOpen();
        return evaluate(model, backbone, dims, contexts, protocol, subset, ks);
    }

    interface RowSink {
        void accept(int row, float[] scores);
    }

    static void scoreInto(Model model, Backbone backbone, NetworkDims dims, float[][] contexts, int[][] mentioned,
                          RowSink sink) {
        Objects.requireNonNull(contexts, "contexts");
        if (mentioned != null && mentioned.length != contexts.length) {
            throw new IllegalArgumentException("mentioned has " + mentioned.length + " rows for " + contexts.length
                    + " contexts");
        }
        int[][] none = new int[contexts.length][0];
        for (float[] c : contexts) {
            if (c == null || c.length != dims.contextDim()) {
                throw new IllegalArgumentException("every context must have dimension " + dims.contextDim());
            }
        }
        ParameterStore store = new ParameterStore(model.getNDManager(), false);
        Block block = model.getBlock();
        for (int start = 0; start < contexts.length; start += SCORE_BATCH) {
            int end = Math.min(contexts.length, start + SCORE_BATCH);
            try (NDManager batch = model.getNDManager().newSubManager()) {
                NDArray scores = block.forward(store, backbone.inputs(batch, dims, Arrays.copyOfRange(contexts, start, end),
                                Arrays.copyOfRange(mentioned == null ? none : mentioned, start, end)), false)
                        .head();
                float[] flat = scores.toType(DataType.FLOAT32, false).toFloatArray();
                int n = dims.numItems();
                for (int r = start; r < end; r++) {
                    sink.accept(r, Arrays.copyOfRange(flat, (r - start) * n, (r - start + 1) * n));
                }
            }
        }
    }

    static Map<String, Double> evaluate(Model model, Backbone backbone, NetworkDims dims, List<EvalContext> contexts,
                                        RecallMetrics.Protocol protocol, int[] subset, int... ks) {
        if (contexts.isEmpty()) {
            return Map.of();
        }
        RecallMetrics.Accumulator acc = RecallMetrics.accumulator(dims.numItems(), protocol, subset, ks);
        float[][] ctx = new float[contexts.size()][];
        int[][] mentioned = new int[contexts.size()][];
        for (int i = 0; i < ctx.length; i++) {
            ctx[i] = contexts.get(i).context();
            mentioned[i] = contexts.get(i).mentioned();
        }
        scoreInto(model, backbone, dims, ctx, mentioned, (row, scores) -> acc.add(scores, contexts.get(row)));
        return acc.result();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("recommender is closed");
        }
    }

    public int numItems() {
        return dims.numItems();
    }

    public int contextDim() {
        return dims.contextDim();
    }

    public NetworkDims dims() {
        return dims;
    }

    public String backbone() {
        return backbone.name();
    }

    /** The settings it was trained with ({@link TrainerSettings#asMap()}), for lineage. */
    public Map<String, String> settings() {
        return settings;
    }

    /** Validation metrics of the epoch that was kept; empty when training had no validation set. */
    public Map<String, Double> validationMetrics() {
        return validationMetrics;
    }

    /** Host copy of the parameters, e.g. to warm-start the next round. */
    Weights weights() {
        checkOpen();
        return Weights.capture(block);
    }

    public List<EpochLog> history() {
        return history;
    }

    /** Writes next to the target and renames, so readers never see a half-written model. */
    public void save(Path file) throws IOException {
        checkOpen();
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".tmp");
        try {
            try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                CRC32 crc = new CRC32();
                DataOutputStream out = new DataOutputStream(new CheckedOutputStream(raw, crc));
                writeBody(out);
                out.flush();
                new DataOutputStream(raw).writeLong(crc.getValue());
            }
            org.crsaug.platform.artifact.AtomicFiles.replace(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void writeBody(DataOutputStream out) throws IOException {
        out.write(MAGIC);
        out.writeInt(FORMAT_VERSION);
        out.writeUTF(backbone.name());
        out.writeInt(dims.contextDim());
        out.writeInt(dims.hidden());
        out.writeInt(dims.numItems());
        writeStrings(out, settings);
        writeDoubles(out, validationMetrics);
        out.writeInt(history.size());
        for (EpochLog e : history) {
            out.writeUTF(e.stage());
            out.writeInt(e.epoch());
            out.writeDouble(e.trainLoss());
            writeDoubles(out, e.validation());
        }
        Map<String, Weights.Tensor> tensors = Weights.capture(block).tensors();
        out.writeInt(tensors.size());
        for (Map.Entry<String, Weights.Tensor> t : tensors.entrySet()) {
            out.writeUTF(t.getKey());
            long[] shape = t.getValue().shape();
            out.writeInt(shape.length);
            for (long s : shape) {
                out.writeLong(s);
            }
            float[] data = t.getValue().data();
            out.writeInt(data.length);
            ByteBuffer buf = ByteBuffer.allocate(data.length * Float.BYTES);
            buf.asFloatBuffer().put(data);
            out.write(buf.array());
        }
    }

    private static void writeStrings(DataOutputStream out, Map<String, String> m) throws IOException {
        out.writeInt(m.size());
        for (Map.Entry<String, String> e : m.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
        }
    }

    private static void writeDoubles(DataOutputStream out, Map<String, Double> m) throws IOException {
        out.writeInt(m.size());
        for (Map.Entry<String, Double> e : m.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeDouble(e.getValue());
        }
    }

    /**
     * @throws RecommenderFormatException when the file is not a saved recommender, was written by an
     *                                    incompatible version, is truncated or fails its checksum
     */
    public static TrainedRecommender load(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < MAGIC.length + Long.BYTES
                || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new RecommenderFormatException(file + " is not a saved recommender (missing CRSREC header)");
        }
        int bodyLength = bytes.length - Long.BYTES;
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bodyLength);
        long stored = ByteBuffer.wrap(bytes, bodyLength, Long.BYTES).getLong();
        if (crc.getValue() != stored) {
            throw new RecommenderFormatException(file + " is corrupt or truncated (checksum mismatch); retrain or restore it");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bodyLength))) {
            in.skipNBytes(MAGIC.length);
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new RecommenderFormatException(file + " has format version " + version
                        + ", this build reads version " + FORMAT_VERSION);
            }
            String backboneName = in.readUTF();
            Backbone backbone;
            try {
                backbone = Backbone.forName(backboneName);
            } catch (IllegalArgumentException e) {
                throw new RecommenderFormatException(file + ": " + e.getMessage(), e);
            }
            NetworkDims dims;
            try {
                dims = new NetworkDims(in.readInt(), in.readInt(), in.readInt());
            } catch (IllegalArgumentException e) {
                throw new RecommenderFormatException(file + ": " + e.getMessage(), e);
            }
            Map<String, String> settings = readStrings(in);
            Map<String, Double> metrics = readDoubles(in);
            int epochs = in.readInt();
            List<EpochLog> history = new ArrayList<>(Math.max(0, Math.min(epochs, 10_000)));
            for (int i = 0; i < epochs; i++) {
                history.add(new EpochLog(in.readUTF(), in.readInt(), in.readDouble(), readDoubles(in)));
            }
            int count = in.readInt();
            Map<String, Weights.Tensor> tensors = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                int rank = in.readInt();
                if (rank < 0 || rank > 8) {
                    throw new RecommenderFormatException(file + ": parameter '" + name + "' has invalid rank " + rank);
                }
                long[] shape = new long[rank];
                long elements = 1;
                for (int r = 0; r < rank; r++) {
                    shape[r] = in.readLong();
                    elements *= shape[r];
                }
                int length = in.readInt();
                if (length != elements || (long) length * Float.BYTES > in.available()) {
                    throw new RecommenderFormatException(file + ": parameter '" + name + "' has "
                            + length + " values for shape " + Arrays.toString(shape));
                }
                byte[] raw = in.readNBytes(length * Float.BYTES);
                float[] data = new float[length];
                ByteBuffer.wrap(raw).asFloatBuffer().get(data);
                tensors.put(name, new Weights.Tensor(shape, data));
            }
            if (in.available() != 0) {
                throw new RecommenderFormatException(file + " has " + in.available() + " unexpected trailing bytes");
            }
            Model model;
            try {
                model = newModel(backbone, dims, new Weights(tensors), "crs-recommender");
            } catch (IllegalArgumentException e) {
                throw new RecommenderFormatException(file + " does not match the " + backbone.name()
                        + " backbone: " + e.getMessage(), e);
            }
            return new TrainedRecommender(model, backbone, dims, settings, metrics, history);
        } catch (EOFException e) {
            throw new RecommenderFormatException(file + " ends early; it is truncated", e);
        }
    }

    private static Map<String, String> readStrings(DataInputStream in) throws IOException {
        int n = in.readInt();
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(in.readUTF(), in.readUTF());
        }
        return m;
    }

    private static Map<String, Double> readDoubles(DataInputStream in) throws IOException {
        int n = in.readInt();
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(in.readUTF(), in.readDouble());
        }
        return m;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            model.close();
        }
    }
}
