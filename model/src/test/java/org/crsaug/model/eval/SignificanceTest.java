package org.crsaug.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.crsaug.model.recommender.EvalContext;
import org.junit.jupiter.api.Test;

class SignificanceTest {

    @Test
    void aClearImprovementIsSignificantAndNoDifferenceIsNot() {
        // 200 pairs: the model hits 60 more pairs than the baseline and misses none the baseline hits
        double[] base = new double[200];
        double[] better = new double[200];
        for (int i = 0; i < 200; i++) {
            base[i] = i < 40 ? 1 : 0;
            better[i] = i < 100 ? 1 : 0;
        }
        Significance.Result r = Significance.pairedBootstrap(better, base, 2000, 7);
        assertThat(r.difference()).isCloseTo(0.30, within(1e-9));
        assertThat(r.pValue()).isLessThan(0.001);
        assertThat(r.lower95()).isGreaterThan(0.2);
        assertThat(r.upper95()).isLessThan(0.4);

        Significance.Result same = Significance.pairedBootstrap(base, base, 2000, 7);
        assertThat(same.difference()).isZero();
        assertThat(same.pValue()).isEqualTo(1.0);
    }

    @Test
    void aSmallNoisyDifferenceIsNotSignificant() {
        // known example: 20 pairs, model wins 3, loses 2 -> mean difference 0.05, far from significant
        double[] a = new double[20];
        double[] b = new double[20];
        a[0] = a[1] = a[2] = 1;
        b[3] = b[4] = 1;
        Significance.Result r = Significance.pairedBootstrap(a, b, 4000, 1);
        assertThat(r.difference()).isCloseTo(0.05, within(1e-9));
        assertThat(r.pValue()).isGreaterThan(0.4);
        assertThat(r.lower95()).isNegative();
    }

    @Test
    void pairRanksFollowTheStrictProtocol() {
        // items 0..3; item 0 was mentioned earlier; gold is item 2
        float[][] scores = {{0.9f, 0.1f, 0.5f, 0.5f}};
        List<EvalContext> ctx = List.of(new EvalContext(new float[] {1f}, new int[] {2}, new int[] {0}));
        assertThat(PairRanks.compute(scores, ctx, RecallMetrics.Protocol.STRICT)).containsExactly(0);
        assertThat(PairRanks.compute(scores, ctx, RecallMetrics.Protocol.LENIENT)).containsExactly(1);
        assertThat(PairRanks.recallAt(new int[] {0, 3, 10}, 10)).isCloseTo(2 / 3.0, within(1e-9));
        // ranks agree with the aggregate metric
        assertThat(RecallMetrics.compute(scores, ctx, RecallMetrics.Protocol.STRICT, 1).get("recall@1")).isEqualTo(1.0);
    }

    @Test
    void theIntervalOfAKnownExampleCanBeCheckedByHand() {
        // five pairs, the model gains four and ties one: differences {1,1,1,1,0}. A resample's mean is j/5
        // where j counts the 1s drawn, j ~ Binomial(5, 0.8): P(j<=1) = 21/3125 = 0.7% and P(j<=2) = 181/3125
        // = 5.8%, so the 2.5% quantile is 2/5; P(j=5) = 1024/3125 = 33%, so the 97.5% quantile is 5/5
        double[] model = {1, 1, 1, 1, 0};
        double[] base = {0, 0, 0, 0, 0};
        Significance.Result r = Significance.pairedBootstrap(model, base, 20000, 3);
        assertThat(r.difference()).isCloseTo(0.8, within(1e-9));
        assertThat(r.lower95()).isCloseTo(0.4, within(1e-9));
        assertThat(r.upper95()).isCloseTo(1.0, within(1e-9));
        // only the all-zero resample (1/3125) reaches zero: p = 2 x 0.032%
        assertThat(r.pValue()).isLessThan(0.002);
        assertThat(r.includesZero()).isFalse();
        assertThat(Significance.verdict(r, "5 test pairs"))
                .isEqualTo("an increase: the 95% interval on 5 test pairs excludes zero");

        // two pairs, one gained, one tied: a resample's mean is 0, 1/2 or 1 with chances 1/4, 1/2, 1/4, so the
        // interval is [0, 1] and holds zero although the observed lift is +50 points
        Significance.Result two = Significance.pairedBootstrap(new double[] {1, 0}, new double[] {0, 0}, 20000, 3);
        assertThat(two.difference()).isCloseTo(0.5, within(1e-9));
        assertThat(two.lower95()).isZero();
        assertThat(two.upper95()).isEqualTo(1.0);
        assertThat(two.includesZero()).isTrue();
        assertThat(Significance.verdict(two, "2 test pairs"))
                .isEqualTo("not distinguishable from no change on 2 test pairs");

        // a loss the data is sure of is worded as such
        Significance.Result loss = Significance.pairedBootstrap(base, model, 20000, 3);
        assertThat(loss.lower95()).isCloseTo(-1.0, within(1e-9));
        assertThat(loss.upper95()).isCloseTo(-0.4, within(1e-9));
        assertThat(Significance.verdict(loss, "5 test pairs")).startsWith("a decrease:");
    }
}
