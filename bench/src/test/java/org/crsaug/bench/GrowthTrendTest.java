package org.crsaug.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GrowthTrendTest {

    /** Samples a minute apart over 30 minutes: value(t) = base + perHour * t/3600. */
    private static GrowthTrend trend(double base, double perHour) {
        double[] t = IntStream.rangeClosed(0, 30).mapToDouble(m -> m * 60.0).toArray();
        double[] v = java.util.Arrays.stream(t).map(s -> base + perHour * s / 3600).toArray();
        return GrowthTrend.of("heap", t, v, 1800);
    }

    @Test
    void aSteadyClimbOverTheSecondHalfIsGrowthPerHour() {
        GrowthTrend t = trend(400, 60);
        assertThat(t.perHour()).isCloseTo(60, within(1e-6));
        assertThat(t.samples()).isEqualTo(16); // minutes 15 to 30
        assertThat(t.grows()).isTrue(); // 60 per hour on a mean of about 422: over 5%
        assertThat(t.describe(v -> String.format(java.util.Locale.ROOT, "%.1f MiB", v)))
                .startsWith("heap: +60.0 MiB per hour").endsWith("GROWS (more than 5% of its mean per hour)");
    }

    @Test
    void aClimbOnlyInTheFirstHalfIsWarmUpNotGrowth() {
        double[] t = IntStream.rangeClosed(0, 30).mapToDouble(m -> m * 60.0).toArray();
        double[] v = java.util.Arrays.stream(t).map(s -> s < 900 ? 100 + s / 10 : 190).toArray();
        GrowthTrend trend = GrowthTrend.of("heap", t, v, 1800);
        assertThat(trend.judged()).isTrue();
        assertThat(trend.grows()).isFalse();
        assertThat(trend.describe(Double::toString)).endsWith("flat (under 5% of its mean per hour)");
    }

    @Test
    void aShortRunIsNotJudged() {
        double[] t = {0, 60, 120, 180};
        double[] v = {100, 150, 200, 250};
        GrowthTrend trend = GrowthTrend.of("open files", t, v, 180);
        assertThat(trend.judged()).isFalse();
        assertThat(trend.grows()).isFalse();
        assertThat(trend.describe(Double::toString)).contains("not judged: the second half has 2 samples over 60 s");
    }
}
