package org.crsaug.model.recommender;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;

/**
 * The training objective of one batch: mean cross-entropy of the full-catalogue softmax against the label
 * positions, plus {@code alpha} times the batch mean of KL(P_model || P_soft) = sum_j p_j (log p_j - log q_j)
 * when soft labels come with the batch.
 *
 * <p>Labels are {@code [target]} or {@code [target, softLog]}: {@code target} holds {@code (batch, 1)}
 * catalogue positions, {@code softLog} the {@code (batch, numItems)} log-probabilities of the frozen
 * pre-trained model; predictions are {@code [logits]}.
 *
 * <p>Both terms read one log-softmax of the logits. That is why this is not an
 * {@link ai.djl.training.loss.AbstractCompositeLoss} of two independent losses: each component would take
 * its own log-softmax, and the gradient of the sum of two log-softmax nodes is added up in a different
 * order than the gradient through one shared node, so training would no longer be bit-identical to the
 * results already reported. The cross-entropy term itself is DJL's {@link SoftmaxCrossEntropyLoss}, fed
 * the shared log-probabilities (so with {@code fromLogit} false: it must not take a log-softmax of its own).
 */
final class RecommenderLoss extends Loss {

    private static final int CLASS_AXIS = 1;

    private final SoftmaxCrossEntropyLoss crossEntropy =
            new SoftmaxCrossEntropyLoss("cross_entropy", 1, CLASS_AXIS, true, false);
    private final double alpha;

    /** @param alpha weight of the KL term; 0 makes the objective plain cross-entropy whatever the labels hold */
    RecommenderLoss(double alpha) {
        super("recommender_loss");
        this.alpha = alpha;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray logp = predictions.singletonOrThrow().logSoftmax(CLASS_AXIS);
        NDArray loss = crossEntropy.evaluate(new NDList(labels.get(0)), new NDList(logp));
        if (labels.size() < 2 || alpha == 0) {
            return loss;
        }
        NDArray softLog = labels.get(1);
        NDArray kl = logp.exp().mul(logp.sub(softLog)).sum(new int[] {CLASS_AXIS}).mean();
        return loss.add(Params.times(kl, (float) alpha));
    }
}
