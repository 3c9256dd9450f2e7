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
 * Scores items from the context text alone: a residual MLP moves the context vector within the encoder's
 * space, then every item is scored by a dot product with its (trainable) vector plus a popularity bias.
 * Because the MLP starts close to the identity, a model warm-started from encoded item descriptions
 * begins as plain semantic retrieval and training only has to learn the correction.
 */
public final class SemanticBackbone implements Backbone {

    public static final String NAME = "semantic";

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
        return new Shape[] {new Shape(1, dims.contextDim())};
    }

    @Override
    public NDList inputs(NDManager manager, NetworkDims dims, float[][] contexts, int[][] mentioned) {
        return new NDList(manager.create(contexts));
    }

    /** The network itself; kept private so callers go through {@link Backbone}. */
    private static final class Net extends ItemScoringNet {
        private final Parameter w1;
        private final Parameter b1;
        private final Parameter w2;
        private final Parameter b2;

        Net(NetworkDims dims, float[][] itemVectors, Random rng) {
            super(dims);
            int d = dims.contextDim();
            int h = dims.hidden();
            double xavier = xavier(d, h);
            // initial values are drawn here, in a fixed order, so they depend only on the seed
            w1 = addParameter(Params.fixed("hidden_weight", Parameter.Type.WEIGHT, new Shape(h, d),
                    Params.uniform(rng, h * d, xavier)));
            b1 = addParameter(Params.fixed("hidden_bias", Parameter.Type.BIAS, new Shape(h), new float[h]));
            w2 = addParameter(Params.fixed("output_weight", Parameter.Type.WEIGHT, new Shape(d, h),
                    Params.uniform(rng, d * h, xavier * OUTPUT_LAYER_SCALE)));
            b2 = addParameter(Params.fixed("output_bias", Parameter.Type.BIAS, new Shape(d), new float[d]));
            addItemParameters(Params.itemInit(dims, itemVectors, rng));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                         PairList<String, Object> params) {
            NDArray x = inputs.head();
            NDArray hidden = Activation.relu(dense(ps, x, w1, b1, training));
            NDArray moved = dense(ps, hidden, w2, b2, training).add(x);
            return new NDList(scoreItems(ps, moved, training));
        }
    }
}
