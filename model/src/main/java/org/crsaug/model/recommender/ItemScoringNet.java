package org.crsaug.model.recommender;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;

/**
 * What the backbones' networks share: the item side (a trainable vector and a bias per catalogue item,
 * scored by a dot product with the moved context) and the dense layers in between. Subclasses register
 * their own parameters first and call {@link #addItemParameters} where the item side belongs in their
 * order, because that order fixes both the draws from the seeded {@code Random} and the parameter order
 * of saved models.
 */
abstract class ItemScoringNet extends AbstractBlock {

    /** A residual MLP's second layer starts this much smaller than Xavier so the residual path dominates early on. */
    static final double OUTPUT_LAYER_SCALE = 0.1;

    protected final NetworkDims dims;
    private Parameter items;
    private Parameter itemBias;

    ItemScoringNet(NetworkDims dims) {
        this.dims = dims;
    }

    /** Xavier-uniform limit for a layer between {@code fanIn} and {@code fanOut} units. */
    static double xavier(int fanIn, int fanOut) {
        return Math.sqrt(6.0 / (fanIn + fanOut));
    }

    /** @param itemInit row-major (numItems, contextDim) starting values of the item vectors */
    protected final void addItemParameters(float[] itemInit) {
        addItemParameters(dims.contextDim(), itemInit);
    }

    /**
     * As above for a network whose item space is not the context space (the sequential backbone's items live
     * in its own, narrower space).
     *
     * @param itemInit row-major (numItems, width) starting values of the item vectors
     */
    protected final void addItemParameters(int width, float[] itemInit) {
        int n = dims.numItems();
        items = addParameter(Params.fixed("item_vectors", Parameter.Type.WEIGHT, new Shape(n, width), itemInit));
        itemBias = addParameter(Params.fixed("item_bias", Parameter.Type.BIAS, new Shape(n), new float[n]));
    }

    /** The item vectors, for a network that also reads them on its input side (tied embeddings). */
    protected final Parameter itemVectorParameter() {
        return items;
    }

    /**
     * {@code x W^T + b}. The parameters are fetched for {@code x}'s device and the op takes {@code x} as its
     * first operand, so the result belongs to the caller's (batch) manager rather than piling up in the
     * model's.
     */
    protected static NDArray dense(ParameterStore ps, NDArray x, Parameter weight, Parameter bias, boolean training) {
        return Linear.linear(x, ps.getValue(weight, x.getDevice(), training), ps.getValue(bias, x.getDevice(), training))
                .head();
    }

    /** {@code (batch, numItems)} scores of every catalogue item for {@code moved} contexts in item space. */
    protected final NDArray scoreItems(ParameterStore ps, NDArray moved, boolean training) {
        return dense(ps, moved, items, itemBias, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), dims.numItems())};
    }
}
