package org.crsaug.model.recommender;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.Random;

/** Parameter construction shared by the backbones, so both draw initial values the same seeded way. */
final class Params {

    private Params() {
    }

    /** A parameter that initialises to exactly {@code values}, whatever the engine's random state. */
    static Parameter fixed(String name, Parameter.Type type, Shape shape, float[] values) {
        Parameter p = Parameter.builder().setName(name).setType(type).optShape(shape).build();
        p.setInitializer((NDManager manager, Shape s, DataType dataType) ->
                manager.create(values, s).toType(dataType, false));
        return p;
    }

    /**
     * {@code x} times a constant, in a graph that will be differentiated. Not {@code x.mul(c)}: DJL's PyTorch
     * engine makes the constant a tensor over a Java direct buffer and closes it as soon as the product is made,
     * but autograd keeps that tensor for the backward pass, and once the buffer is unreachable the garbage
     * collector may free its memory first. The backward pass then read freed memory now and then, and training
     * was not reproducible (docs/design-training.md). Made in {@code x}'s manager, the constant lives until that
     * manager closes, after the backward pass and the step.
     */
    static NDArray times(NDArray x, float c) {
        return x.mul(x.getManager().create(c));
    }

    /** {@code x} divided by a constant; see {@link #times}. */
    static NDArray dividedBy(NDArray x, float c) {
        return x.div(x.getManager().create(c));
    }

    static float[] uniform(Random rng, int size, double limit) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * limit);
        }
        return v;
    }

    static void checkItemVectors(NetworkDims dims, float[][] itemVectors) {
        if (itemVectors == null) {
            return;
        }
        if (itemVectors.length != dims.numItems()) {
            throw new IllegalArgumentException("itemVectors has " + itemVectors.length + " rows, expected " + dims.numItems());
        }
        for (int i = 0; i < itemVectors.length; i++) {
            if (itemVectors[i] == null || itemVectors[i].length != dims.contextDim()) {
                throw new IllegalArgumentException("item vector " + i + " does not have the context dimension "
                        + dims.contextDim());
            }
        }
    }

    /** Row-major (numItems, contextDim) values: the encoded descriptions when given, random unit-ish rows otherwise. */
    static float[] itemInit(NetworkDims dims, float[][] itemVectors, Random rng) {
        int n = dims.numItems();
        int d = dims.contextDim();
        float[] init = new float[n * d];
        if (itemVectors != null) {
            for (int i = 0; i < n; i++) {
                System.arraycopy(itemVectors[i], 0, init, i * d, d);
            }
        } else {
            // norm close to 1, like encoder outputs, so initial scores are on the same scale either way
            double sd = 1.0 / Math.sqrt(d);
            for (int i = 0; i < init.length; i++) {
                init[i] = (float) (rng.nextGaussian() * sd);
            }
        }
        return init;
    }
}
