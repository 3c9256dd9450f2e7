package org.crsaug.model.recommender;

/**
 * Sizes that fix a network's parameter shapes; saved in the model's metadata so a load can rebuild and check
 * the network.
 */
public record NetworkDims(int contextDim, int hidden, int numItems) {
    public NetworkDims {
        if (contextDim <= 0 || hidden <= 0 || numItems <= 0) {
            throw new IllegalArgumentException("Network dimensions must be positive: contextDim=" + contextDim
                    + ", hidden=" + hidden + ", numItems=" + numItems);
        }
    }
}
