package org.crsaug.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
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

    @Test
    void withOneSeedTheCrossedBootstrapIsThePlainOne() {
        double[] a = new double[50];
        double[] b = new double[50];
        for (int i = 0; i < 50; i++) {
            a[i] = i % 3 == 0 ? 1 : 0;
            b[i] = i % 4 == 0 ? 1 : 0;
        }
        // the plain method is defined through the crossed one, so compare against an interval computed by hand:
        // one seed must draw nothing for the seeds, or the one-seed numbers of every earlier report would move
        Significance.Result plain = Significance.pairedBootstrap(a, b, 3000, 9);
        SplittableRandom random = new SplittableRandom(9);
        double[] means = new double[3000];
        for (int r = 0; r < 3000; r++) {
            double sum = 0;
            for (int i = 0; i < 50; i++) {
                int j = random.nextInt(50);
                sum += a[j] - b[j];
            }
            means[r] = sum / 50;
        }
        Arrays.sort(means);
        assertThat(plain.lower95()).isEqualTo(means[(int) Math.floor(0.025 * 2999)]);
        assertThat(plain.upper95()).isEqualTo(means[(int) Math.ceil(0.975 * 2999)]);
        assertThat(Significance.pairedBootstrap(new double[][] {a}, new double[][] {b}, 3000, 9)).isEqualTo(plain);
    }

    @Test
    void aGainOnlyOneSeedShowsIsNotSignificantHoweverManyPairs() {
        // 2 seeds x 1000 pairs: seed 0 gains every pair, seed 1 none. Pooled as 2000 independent pairs this is
        // +50 points with an interval of about +/-2; but the pairs say nothing about the seeds. A resample draws
        // seed 0 twice, once or never with chances 1/4, 1/2, 1/4, so its mean is 1, 1/2 or 0 (the pairs within a
        // seed are all alike): the interval is [0, 1] and p = 2 x P(mean <= 0) = about 0.5
        double[][] model = new double[2][1000];
        double[][] base = new double[2][1000];
        Arrays.fill(model[0], 1);
        Significance.Result r = Significance.pairedBootstrap(model, base, 4000, 5);
        assertThat(r.difference()).isCloseTo(0.5, within(1e-9));
        assertThat(r.lower95()).isZero();
        assertThat(r.upper95()).isEqualTo(1.0);
        assertThat(r.pValue()).isBetween(0.4, 0.6);
        assertThat(r.includesZero()).isTrue();

        Significance.Result pooled = Significance.pairedBootstrap(concat(model), concat(base), 4000, 5);
        assertThat(pooled.includesZero()).isFalse();
    }

    @Test
    void aPairEverySeedGainsCountsOnceNotOncePerSeed() {
        // 3 seeds x 4 pairs: every seed gains pair 1 and nothing else. A resample's mean is j/4, j the number of
        // times pair 1 is drawn among 4, j ~ Binomial(4, 1/4) whatever seeds are drawn: P(j=0) = 81/256 = 32%, so
        // the 2.5% quantile is 0 and p = 2 x 32% = 63%; P(j<=2) = 243/256 = 94.9% and P(j<=3) = 255/256, so the
        // 97.5% quantile is 3/4
        int[][] model = {{0, 5, 60, 60}, {0, 5, 60, 60}, {0, 5, 60, 60}};
        int[][] base = {{0, 30, 60, 60}, {0, 30, 60, 60}, {0, 30, 60, 60}};
        Significance.Result r = Significance.recallDifference(model, base, 10, 20000, 3);
        assertThat(r.difference()).isCloseTo(0.25, within(1e-9));
        assertThat(r.lower95()).isZero();
        assertThat(r.upper95()).isEqualTo(0.75);
        assertThat(r.pValue()).isCloseTo(2 * 81 / 256.0, within(0.02));
        assertThat(Significance.verdict(r, Significance.over(4, "test pairs", 3)))
                .isEqualTo("not distinguishable from no change on 4 test pairs and 3 seeds, both resampled");
        // pooled over the 12 (seed, pair) cells the same gain looks ten times surer: p = 2 x (3/4)^12 = 6%
        assertThat(Significance.pairedBootstrap(concat(Significance.hits(model, 10)),
                concat(Significance.hits(base, 10)), 20000, 3).pValue()).isCloseTo(2 * Math.pow(0.75, 12), within(0.01));
    }

    @Test
    void seedsThatListDifferentPairsAreRefused() {
        assertThatThrownBy(() -> Significance.pairedBootstrap(new double[][] {{1, 0}, {1}},
                new double[][] {{0, 0}, {0}}, 100, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every seed must list the same test pairs");
        assertThatThrownBy(() -> Significance.pairedBootstrap(new double[][] {{1}}, new double[][] {{0}, {0}}, 100,
                1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same seeds on both sides");
    }

    @Test
    void theSourcesOfUncertaintyOfKnownGridsCanBeCheckedByHand() {
        // only the seed matters: seed 0 gains both pairs, seed 1 neither. Seed means 1 and 0, pair means 1/2 and 1/2,
        // no residual: MS_seeds = 2 x (1/4 + 1/4) / 1 = 1, so the seed component is (1 - 0) / 2 = 1/2 and the mean's
        // variance 1/2 / 2 = 1/4, all of it from the seeds
        Significance.Sources seedsOnly = Significance.sources(new double[][] {{1, 1}, {0, 0}},
                new double[][] {{0, 0}, {0, 0}});
        assertThat(seedsOnly.seedShare()).isEqualTo(1.0);
        assertThat(seedsOnly.standardError()).isCloseTo(0.5, within(1e-12));
        // the same grid turned: every seed gains pair 0 and not pair 1, all of it from the pairs
        Significance.Sources pairsOnly = Significance.sources(new double[][] {{1, 0}, {1, 0}},
                new double[][] {{0, 0}, {0, 0}});
        assertThat(pairsOnly.pairShare()).isEqualTo(1.0);
        assertThat(pairsOnly.standardError()).isCloseTo(0.5, within(1e-12));
        // one cell alone: seed means 1/2, 0; pair means 1/2, 0; residuals +-1/4, so MS_cells = 4/16 / 1 = 1/4 and
        // MS_seeds = MS_pairs = 2 x (1/16 + 1/16) = 1/4: both components are zero and the cell's noise is all there is
        Significance.Sources cell = Significance.sources(new double[][] {{1, 0}, {0, 0}},
                new double[][] {{0, 0}, {0, 0}});
        assertThat(cell.cellShare()).isEqualTo(1.0);
        assertThat(cell.standardError()).isCloseTo(0.25, within(1e-12));
        assertThatThrownBy(() -> Significance.sources(new double[][] {{1, 0}}, new double[][] {{0, 0}}))
                .hasMessageContaining("at least 2 seeds");
    }

    private static double[] concat(double[][] bySeed) {
        return Arrays.stream(bySeed).flatMapToDouble(Arrays::stream).toArray();
    }
}
