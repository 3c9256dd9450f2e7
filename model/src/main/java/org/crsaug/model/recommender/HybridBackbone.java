package org.crsaug.model.recommender;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Random;

/**
 * Scores items from the context text and from the items the dialogue named so far (the collaborative
 * signal: someone who brought up three heist films is likely to accept a fourth).
 *
 * <p>The mentioned items are pooled as a bag: the mean of their trainable "mention" embeddings, which start
 * from the encoded item descriptions so a mention first means "something like this item". The context
 * vector and that mean go through a residual MLP into the item space, plus a per-dimension learned gate that
 * lets the mean feed the item space directly; items are scored as in {@link SemanticBackbone} (dot product
 * with trainable item vectors plus a bias). A context with no mentions gets a zero bag, so the model
 * degrades to the text path. The bag enters as a dense {@code (batch, numItems)} matrix of weights rather
 * than padded index lists: its product with the embedding table costs about what the output layer
 * already costs, and needs no gather op whose gradient differs between engines.
 */
public final class HybridBackbone implements Backbone {

    public static final String NAME = "hybrid";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Block newBlock(NetworkDims dims, float[][] itemVectors, Random rng) {
        Params.checkItemVectors(dims, itemVectors);
        return new Net(dims, itemVectors, rng);
    }

    @Override
    public Shape[] inputShapes(NetworkDims dims) {
        return new Shape[] {new Shape(1, dims.contextDim()), new Shape(1, dims.numItems())};
    }

    @Override
    public NDList inputs(NDManager manager, NetworkDims dims, float[][] contexts, int[][] mentioned) {
        int n = dims.numItems();
        float[] bag = new float[contexts.length * n];
        for (int r = 0; r < contexts.length; r++) {
            int[] m = mentioned == null ? null : mentioned[r];
            if (m == null || m.length == 0) {
                continue;
            }
            float w = 1f / m.length;
            for (int item : m) {
                if (item < 0 || item >= n) {
                    throw new IllegalArgumentException("mentioned item " + item + " is outside the catalogue of " + n);
                }
                bag[r * n + item] += w;
            }
        }
        return new NDList(manager.create(contexts), manager.create(bag, new Shape(contexts.length, n)));
    }

    private static final class Net extends ItemScoringNet {
        private final Parameter mentionVectors;
        private final Parameter w1;
        private final Parameter b1;
        private final Parameter w2;
        private final Parameter b2;
        private final Parameter gate;

        Net(NetworkDims dims, float[][] itemVectors, Random rng) {
            super(dims);
            int d = dims.contextDim();
            int h = dims.hidden();
            int n = dims.numItems();
            // drawn in a fixed order so initial values depend only on the seed
            w1 = addParameter(Params.fixed("hidden_weight", Parameter.Type.WEIGHT, new Shape(h, 2 * d),
                    Params.uniform(rng, h * 2 * d, xavier(2 * d, h))));
            b1 = addParameter(Params.fixed("hidden_bias", Parameter.Type.BIAS, new Shape(h), new float[h]));
            w2 = addParameter(Params.fixed("output_weight", Parameter.Type.WEIGHT, new Shape(d, h),
                    Params.uniform(rng, d * h, xavier(d, h) * OUTPUT_LAYER_SCALE)));
            b2 = addParameter(Params.fixed("output_bias", Parameter.Type.BIAS, new Shape(d), new float[d]));
            // zero gate: the untrained model ranks exactly like the text path; training opens it where it helps
            gate = addParameter(Params.fixed("mention_gate", Parameter.Type.WEIGHT, new Shape(d), new float[d]));
            float[] itemInit = Params.itemInit(dims, itemVectors, rng);
            addItemParameters(itemInit);
            mentionVectors = addParameter(Params.fixed("mention_vectors", Parameter.Type.WEIGHT, new Shape(n, d),
                    itemInit.clone()));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                         PairList<String, Object> params) {
            NDArray x = inputs.get(0);
            NDArray bag = inputs.get(1);
            // temporaries hang off the first operand, i.e. the caller's batch manager
            NDArray mentions = bag.matMul(ps.getValue(mentionVectors, x.getDevice(), training));
            NDArray joint = x.concat(mentions, 1);
            NDArray hidden = Activation.relu(dense(ps, joint, w1, b1, training));
            NDArray moved = dense(ps, hidden, w2, b2, training)
                    .add(x)
                    .add(mentions.mul(ps.getValue(gate, x.getDevice(), training)));
            return new NDList(scoreItems(ps, moved, training));
        }
    }
}
