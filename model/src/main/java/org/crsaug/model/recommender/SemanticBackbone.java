package org.crsaug.model.recommender;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
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

    /** The second layer starts this much smaller than Xavier so the residual path dominates early on. */
    private static final double OUTPUT_LAYER_SCALE = 0.1;

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
    private static final class Net extends AbstractBlock {
        private final NetworkDims dims;
        private final Parameter w1;
        private final Parameter b1;
        private final Parameter w2;
        private final Parameter b2;
        private final Parameter items;
        private final Parameter itemBias;

        Net(NetworkDims dims, float[][] itemVectors, Random rng) {
            this.dims = dims;
            int d = dims.contextDim();
            int h = dims.hidden();
            int n = dims.numItems();
            double xavier = Math.sqrt(6.0 / (d + h));
            // initial values are drawn here, in a fixed order, so they depend only on the seed
            w1 = addParameter(Params.fixed("hidden_weight", Parameter.Type.WEIGHT, new Shape(h, d),
                    Params.uniform(rng, h * d, xavier)));
            b1 = addParameter(Params.fixed("hidden_bias", Parameter.Type.BIAS, new Shape(h), new float[h]));
            w2 = addParameter(Params.fixed("output_weight", Parameter.Type.WEIGHT, new Shape(d, h),
                    Params.uniform(rng, d * h, xavier * OUTPUT_LAYER_SCALE)));
            b2 = addParameter(Params.fixed("output_bias", Parameter.Type.BIAS, new Shape(d), new float[d]));
            float[] itemInit = Params.itemInit(dims, itemVectors, rng);
            items = addParameter(Params.fixed("item_vectors", Parameter.Type.WEIGHT, new Shape(n, d), itemInit));
            itemBias = addParameter(Params.fixed("item_bias", Parameter.Type.BIAS, new Shape(n), new float[n]));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                         PairList<String, Object> params) {
            NDArray x = inputs.head();
            Device dev = x.getDevice();
            // every op takes x (or a result derived from it) as first operand, so temporaries belong to the
            // caller's batch manager instead of piling up in the model's manager
            NDArray hidden = x.getNDArrayInternal()
                    .linear(x, ps.getValue(w1, dev, training), ps.getValue(b1, dev, training)).head()
                    .getNDArrayInternal().relu();
            NDArray moved = hidden.getNDArrayInternal()
                    .linear(hidden, ps.getValue(w2, dev, training), ps.getValue(b2, dev, training)).head()
                    .add(x);
            NDArray scores = moved.getNDArrayInternal()
                    .linear(moved, ps.getValue(items, dev, training), ps.getValue(itemBias, dev, training)).head();
            return new NDList(scores);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), dims.numItems())};
        }
    }
}
