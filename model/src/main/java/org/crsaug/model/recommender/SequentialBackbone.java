package org.crsaug.model.recommender;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Random;

/**
 * A SASRec-style collaborative model: it reads only the items the dialogue named so far, in order of first
 * mention, and never the context text. The last {@link #MAX_LENGTH} mentions (left-padded) become item
 * embeddings plus learned position embeddings, pass through {@link #BLOCKS} causal self-attention blocks
 * (one head, pre-normalised queries, a ReLU feed-forward of width {@code trainer.hidden}, residuals; no
 * dropout, so training stays bit-reproducible on CPU; constants go through {@link Params#times}), and the state at the most recent mention is scored
 * against every item with the same item vectors that embed the input (tied, as in SASRec) plus a bias.
 *
 * <p>A context that named no item yet has nothing to attend to: its state is zero, so it is ranked by the
 * item biases alone (popularity). The encoded item descriptions are not used even when offered: this is the
 * collaborative backbone, which learns item relations from co-mentions only, and the model CS@k is measured
 * with ({@code org.crsaug.model.checkpoint.CollaborativeModel}).
 *
 * <p>The width, depth and window are fixed here rather than settings, so a saved model is rebuilt from its
 * {@link NetworkDims} alone; the loader's shape check refuses a model saved with other constants.
 */
public final class SequentialBackbone implements Backbone {

    public static final String NAME = "sequential";
    /** Width of item, position and attention vectors (SASRec uses 50 on datasets of this size). */
    static final int WIDTH = 64;
    /** Self-attention blocks. */
    static final int BLOCKS = 2;
    /** Most recent mentions read; ReDial and INSPIRED contexts rarely name more. */
    static final int MAX_LENGTH = 20;
    /** Added to attention logits of masked positions: finite, so a fully masked row stays a (unused) number. */
    private static final float MASKED = -1e9f;
    private static final float LAYER_NORM_EPS = 1e-5f;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Block newBlock(NetworkDims dims, float[][] itemVectors, Random rng) {
        Params.checkItemVectors(dims, itemVectors);
        return new Net(dims, rng);
    }

    @Override
    public Shape[] inputShapes(NetworkDims dims) {
        return new Shape[] {new Shape(1, MAX_LENGTH), new Shape(1, MAX_LENGTH), new Shape(1, MAX_LENGTH, MAX_LENGTH)};
    }

    /**
     * Item indices (left-padded with item 0, which the mask then zeroes), the mask of real positions, and the
     * additive attention mask (a position sees itself and earlier real positions), built on the host.
     */
    @Override
    public NDList inputs(NDManager manager, NetworkDims dims, float[][] contexts, int[][] mentioned) {
        int rows = contexts.length;
        int len = MAX_LENGTH;
        long[] ids = new long[rows * len];
        float[] mask = new float[rows * len];
        float[] attention = new float[rows * len * len];
        for (int r = 0; r < rows; r++) {
            int[] m = mentioned == null || mentioned[r] == null ? new int[0] : mentioned[r];
            int take = Math.min(m.length, len);
            int pad = len - take;
            for (int j = 0; j < take; j++) {
                int item = m[m.length - take + j];
                if (item < 0 || item >= dims.numItems()) {
                    throw new IllegalArgumentException("mentioned item " + item + " is outside the catalogue of "
                            + dims.numItems());
                }
                ids[r * len + pad + j] = item;
                mask[r * len + pad + j] = 1f;
            }
            for (int i = 0; i < len; i++) {
                for (int j = 0; j < len; j++) {
                    boolean visible = j <= i && j >= pad;
                    attention[(r * len + i) * len + j] = visible ? 0f : MASKED;
                }
            }
        }
        return new NDList(manager.create(ids, new Shape(rows, len)), manager.create(mask, new Shape(rows, len)),
                manager.create(attention, new Shape(rows, len, len)));
    }

    /** The parameters of one attention block. */
    private record AttentionBlock(Parameter queryNormGain, Parameter queryNormBias, Parameter queryWeight,
            Parameter queryBias, Parameter keyWeight, Parameter keyBias, Parameter valueWeight, Parameter valueBias,
            Parameter ffnNormGain, Parameter ffnNormBias, Parameter ffnInWeight, Parameter ffnInBias,
            Parameter ffnOutWeight, Parameter ffnOutBias) {
    }

    private static final class Net extends ItemScoringNet {
        private final Parameter positions;
        private final AttentionBlock[] blocks = new AttentionBlock[BLOCKS];
        private final Parameter finalNormGain;
        private final Parameter finalNormBias;

        Net(NetworkDims dims, Random rng) {
            super(dims);
            int w = WIDTH;
            int h = dims.hidden();
            // drawn in a fixed order so initial values depend only on the seed
            positions = addParameter(Params.fixed("position_vectors", Parameter.Type.WEIGHT,
                    new Shape(MAX_LENGTH, w), Params.uniform(rng, MAX_LENGTH * w, xavier(MAX_LENGTH, w))));
            for (int b = 0; b < BLOCKS; b++) {
                String p = "block" + b + "_";
                blocks[b] = new AttentionBlock(
                        addParameter(ones(p + "query_norm_gain", w)),
                        addParameter(zeros(p + "query_norm_bias", w)),
                        addParameter(weight(p + "query_weight", w, w, rng)),
                        addParameter(zeros(p + "query_bias", w)),
                        addParameter(weight(p + "key_weight", w, w, rng)),
                        addParameter(zeros(p + "key_bias", w)),
                        addParameter(weight(p + "value_weight", w, w, rng)),
                        addParameter(zeros(p + "value_bias", w)),
                        addParameter(ones(p + "ffn_norm_gain", w)),
                        addParameter(zeros(p + "ffn_norm_bias", w)),
                        addParameter(weight(p + "ffn_in_weight", h, w, rng)),
                        addParameter(zeros(p + "ffn_in_bias", h)),
                        addParameter(weight(p + "ffn_out_weight", w, h, rng)),
                        addParameter(zeros(p + "ffn_out_bias", w)));
            }
            finalNormGain = addParameter(ones("final_norm_gain", w));
            finalNormBias = addParameter(zeros("final_norm_bias", w));
            // rows of norm close to 1, as the other backbones' random item start
            float[] items = new float[dims.numItems() * w];
            double sd = 1.0 / Math.sqrt(w);
            for (int i = 0; i < items.length; i++) {
                items[i] = (float) (rng.nextGaussian() * sd);
            }
            addItemParameters(w, items);
        }

        private static Parameter weight(String name, int out, int in, Random rng) {
            return Params.fixed(name, Parameter.Type.WEIGHT, new Shape(out, in), Params.uniform(rng, out * in,
                    xavier(in, out)));
        }

        private static Parameter zeros(String name, int size) {
            return Params.fixed(name, Parameter.Type.BIAS, new Shape(size), new float[size]);
        }

        private static Parameter ones(String name, int size) {
            float[] v = new float[size];
            java.util.Arrays.fill(v, 1f);
            return Params.fixed(name, Parameter.Type.GAMMA, new Shape(size), v);
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                         PairList<String, Object> params) {
            NDArray ids = inputs.get(0);
            NDArray mask = inputs.get(1);
            NDArray attentionMask = inputs.get(2);
            int len = MAX_LENGTH;
            NDArray table = ps.getValue(itemVectorParameter(), mask.getDevice(), training);
            NDArray x = Params.times(Embedding.embedding(ids, table, SparseFormat.DENSE).head(), (float) Math.sqrt(WIDTH))
                    .add(ps.getValue(positions, mask.getDevice(), training))
                    .mul(mask.expandDims(2));
            for (int b = 0; b < BLOCKS; b++) {
                // only the most recent position is scored, so the last block computes its queries alone
                boolean last = b == BLOCKS - 1;
                NDIndex rows = last ? new NDIndex().addAllDim().addSliceDim(len - 1, len) : new NDIndex().addAllDim();
                x = attend(ps, blocks[b], x, x.get(rows), attentionMask.get(rows), mask.get(rows).expandDims(2),
                        training);
            }
            NDArray state = norm(ps, x, finalNormGain, finalNormBias, training).reshape(-1, WIDTH)
                    .mul(mask.get(new NDIndex().addAllDim().addSliceDim(len - 1, len)));
            return new NDList(scoreItems(ps, state, training));
        }

        /**
         * One block: queries from the normalised {@code queries} rows attend over all of {@code x} under the
         * causal mask, then a feed-forward layer; both with residuals, and padded rows zeroed again.
         */
        private NDArray attend(ParameterStore ps, AttentionBlock p, NDArray x, NDArray queries, NDArray attentionMask,
                               NDArray rowMask, boolean training) {
            NDArray q = norm(ps, queries, p.queryNormGain(), p.queryNormBias(), training);
            NDArray keys = dense(ps, x, p.keyWeight(), p.keyBias(), training);
            NDArray values = dense(ps, x, p.valueWeight(), p.valueBias(), training);
            NDArray weights = Params.dividedBy(dense(ps, q, p.queryWeight(), p.queryBias(), training)
                    .batchMatMul(keys.transpose(0, 2, 1)), (float) Math.sqrt(WIDTH))
                    .add(attentionMask)
                    .softmax(2);
            NDArray h = norm(ps, q.add(weights.batchMatMul(values)), p.ffnNormGain(), p.ffnNormBias(), training);
            NDArray ffn = dense(ps, Activation.relu(dense(ps, h, p.ffnInWeight(), p.ffnInBias(), training)),
                    p.ffnOutWeight(), p.ffnOutBias(), training);
            return h.add(ffn).mul(rowMask);
        }

        private static NDArray norm(ParameterStore ps, NDArray x, Parameter gain, Parameter bias, boolean training) {
            return LayerNorm.layerNorm(x, new Shape(WIDTH), ps.getValue(gain, x.getDevice(), training),
                    ps.getValue(bias, x.getDevice(), training), LAYER_NORM_EPS).head();
        }
    }
}
