package org.crsaug.model.recommender;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Host-memory copy of a block's parameters. Stages hand weights to each other through this rather than
 * through live NDArrays so that every stage can close its own model, and so that restoring the best epoch
 * never has to write in place into tensors that autograd is tracking.
 */
final class Weights {

    record Tensor(long[] shape, float[] data) {
    }

    private final Map<String, Tensor> tensors;

    Weights(Map<String, Tensor> tensors) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    static Weights capture(Block block) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray a = p.getValue().getArray();
            m.put(p.getKey(), new Tensor(a.getShape().getShape(), a.toType(DataType.FLOAT32, false).toFloatArray()));
        }
        return new Weights(m);
    }

    Map<String, Tensor> tensors() {
        return tensors;
    }

    /**
     * Makes the (not yet initialised) block take these values when it is initialised.
     *
     * @throws IllegalArgumentException naming the first parameter that is missing or has the wrong shape
     */
    void installInto(Block block) {
        var params = block.getParameters();
        if (params.size() != tensors.size()) {
            throw new IllegalArgumentException("expected " + params.size() + " parameters " + params.keys()
                    + " but found " + tensors.size() + " " + tensors.keySet());
        }
        for (Pair<String, Parameter> p : params) {
            Tensor t = tensors.get(p.getKey());
            if (t == null) {
                throw new IllegalArgumentException("parameter '" + p.getKey() + "' is missing");
            }
            Shape want = p.getValue().getShape();
            if (want != null && !Arrays.equals(want.getShape(), t.shape())) {
                throw new IllegalArgumentException("parameter '" + p.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + " but the network needs " + want);
            }
            float[] data = t.data();
            p.getValue().setInitializer((manager, shape, dataType) -> manager.create(data, shape).toType(dataType, false));
        }
    }
}
