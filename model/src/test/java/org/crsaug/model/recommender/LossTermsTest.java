package org.crsaug.model.recommender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The training objective against values worked out by hand (natural logs, three items). */
class LossTermsTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager(DjlRuntime.device(), DjlRuntime.ENGINE);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NDArray logits(float[][] rows) {
        return manager.create(rows);
    }

    private NDArray targets(long... t) {
        return manager.create(t).reshape(t.length, 1);
    }

    private static NDArray loss(NDArray logits, NDArray target, NDArray softLog, double alpha) {
        NDList labels = softLog == null ? new NDList(target) : new NDList(target, softLog);
        return new RecommenderLoss(alpha).evaluate(labels, new NDList(logits));
    }

    private static double value(NDArray a) {
        return a.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
    }

    @Test
    void crossEntropyOfUniformScoresIsLogOfTheCatalogueSize() {
        // softmax(0,0,0) = 1/3 each, so -log(1/3) = ln 3 = 1.0986123
        double ce = value(loss(logits(new float[][] {{0, 0, 0}}), targets(1), null, 0.7));
        assertThat(ce).isCloseTo(Math.log(3), within(1e-6));
    }

    @Test
    void crossEntropyIsAveragedOverTheBatch() {
        // row 1: logits (ln 1, ln 2, ln 1) -> p = (1/4, 1/2, 1/4); target 1 -> -ln(1/2) = 0.6931472
        // row 2: logits (0, 0, ln 2)       -> p = (1/4, 1/4, 1/2); target 0 -> -ln(1/4) = 1.3862944
        float ln2 = (float) Math.log(2);
        double ce = value(loss(logits(new float[][] {{0, ln2, 0}, {0, 0, ln2}}), targets(1, 0),
                null, 0));
        assertThat(ce).isCloseTo((Math.log(2) + Math.log(4)) / 2, within(1e-6));
    }

    @Test
    void klTowardsSoftLabelsIsAddedWithWeightAlpha() {
        // model p = (1/4, 1/2, 1/4), soft q = (1/2, 1/4, 1/4), target 1:
        // CE = ln 2; KL(p||q) = 1/4 ln(1/2) + 1/2 ln 2 + 1/4 ln 1 = 1/4 ln 2 = 0.1732868
        float ln2 = (float) Math.log(2);
        NDArray softLog = manager.create(new float[][] {{ln2, 0, 0}}).logSoftmax(1);
        NDArray l = logits(new float[][] {{0, ln2, 0}});
        double alpha = 0.4;
        double loss = value(loss(l, targets(1), softLog, alpha));
        assertThat(loss).isCloseTo(Math.log(2) + alpha * 0.25 * Math.log(2), within(1e-6));
    }

    @Test
    void klIsZeroWhenTheModelMatchesTheSoftLabels() {
        NDArray l = logits(new float[][] {{0.3f, -1.2f, 2.0f}, {1f, 1f, -3f}});
        double ce = value(loss(l, targets(2, 0), null, 0));
        double withKl = value(loss(l, targets(2, 0), l.logSoftmax(1), 5.0));
        assertThat(withKl).isCloseTo(ce, within(1e-6));
    }

    @Test
    void alphaZeroIsExactlyCrossEntropyWhateverTheSoftLabels() {
        NDArray l = logits(new float[][] {{0.3f, -1.2f, 2.0f}});
        NDArray farAway = manager.create(new float[][] {{9f, -9f, 0f}}).logSoftmax(1);
        assertThat(value(loss(l, targets(0), farAway, 0.0)))
                .isEqualTo(value(loss(l, targets(0), null, 0.0)));
        assertThat(value(loss(l, targets(0), farAway, 0.5)))
                .isGreaterThan(value(loss(l, targets(0), null, 0.0)));
    }
}
