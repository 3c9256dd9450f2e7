package org.crsaug.model.recommender;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.crsaug.model.eval.RecallMetrics;

/**
 * A fitted recommender: scores every catalogue item for encoded contexts. Holds native memory (on the GPU
 * when one is used), so close it. Scoring from several threads at once is safe; closing while scoring is not.
 *
 * <p>It is saved as a DJL model directory ({@link RecommenderArtifact} describes the layout), which
 * checkpoint artifacts keep under {@link #ARTIFACT_ENTRY}.
 */
public final class TrainedRecommender implements AutoCloseable {

    /** Where a checkpoint artifact directory keeps its recommender. */
    public static final String ARTIFACT_ENTRY = "recommender";
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

    TrainedRecommender(Model model, Backbone backbone, NetworkDims dims, Map<String, String> settings,
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
        Model model = emptyModel(name);
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

    /** A model without a block on the preferred device, on the pinned PyTorch engine. */
    static Model emptyModel(String name) {
        DjlRuntime.engine();
        return Model.newInstance(name, DjlRuntime.device(), DjlRuntime.ENGINE);
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

    /**
     * Saves into the directory {@code dir} (created or replaced) so that {@link #load} gives back a model
     * that scores identically. Writes next to the target and renames, so readers never see a half-written
     * model.
     */
    public void save(Path dir) throws IOException {
        checkOpen();
        RecommenderArtifact.save(model, new RecommenderArtifact.Metadata(RecommenderArtifact.FORMAT,
                RecommenderArtifact.FORMAT_VERSION, backbone.name(), dims, settings, validationMetrics, history,
                RecommenderArtifact.PARAMS_FILE), dir);
    }

    /**
     * Loads a model directory written by {@link #save}.
     *
     * @throws RecommenderFormatException when {@code dir} is not a saved recommender, was written in another
     *                                    format version (the message says how to retrain), is damaged or
     *                                    truncated (checksum), or does not fit its backbone
     */
    public static TrainedRecommender load(Path dir) throws IOException {
        return RecommenderArtifact.load(dir);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            model.close();
        }
    }
}
