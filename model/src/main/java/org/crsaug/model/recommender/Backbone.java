package org.crsaug.model.recommender;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Locale;
import java.util.Random;

/**
 * A network family the trainer can fit. The trainer only needs to build a block, feed it inputs and read
 * one {@code (batch, numItems)} score array back, so every backbone shares the one training loop and is
 * scored over the full catalogue.
 */
public interface Backbone {

    /** Stable identifier written into saved models and lineage records. */
    String name();

    /**
     * A fresh block whose parameters carry initialisers but no values yet. Drawing initial values from
     * {@code rng} rather than from the engine's generator keeps them identical on CPU and GPU.
     *
     * @param itemVectors warm start for the item side, or null for random
     */
    Block newBlock(NetworkDims dims, float[][] itemVectors, Random rng);

    /** Shapes to pass to {@link Block#initialize}. */
    Shape[] inputShapes(NetworkDims dims);

    /**
     * Turns a batch into the block's input list, allocated in {@code manager}.
     *
     * @param mentioned per row, catalogue positions of the items the dialogue named so far (may be empty)
     */
    NDList inputs(NDManager manager, NetworkDims dims, float[][] contexts, int[][] mentioned);

    static Backbone forName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (n.equals(SemanticBackbone.NAME)) {
            return new SemanticBackbone();
        }
        if (n.equals(HybridBackbone.NAME)) {
            return new HybridBackbone();
        }
        if (n.equals(SequentialBackbone.NAME)) {
            return new SequentialBackbone();
        }
        throw new IllegalArgumentException("Unknown backbone '" + name + "'; available: " + SemanticBackbone.NAME
                + ", " + HybridBackbone.NAME + ", " + SequentialBackbone.NAME);
    }
}
