package org.crsaug.platform.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StageMetersTest {

    @Test
    void overlappingSpansAreBusyForTheirUnionWhileTheTimerSumsThem() {
        String step = StageMeters.SEARCH;
        double busyBefore = StageMeters.busySeconds(step);
        double summedBefore = StageMeters.time(step).totalTime(TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        StageMeters.Span outer = StageMeters.begin(step);
        pass(30);
        StageMeters.Span inner = StageMeters.begin(step);
        pass(30);
        inner.record();
        pass(30);
        outer.record();
        double wall = (System.nanoTime() - t0) / 1e9;
        pass(30);

        double busy = StageMeters.busySeconds(step) - busyBefore;
        double summed = StageMeters.time(step).totalTime(TimeUnit.SECONDS) - summedBefore;
        // busy: the outer span alone (the inner lies inside it); the timer: both spans, the inner's 30 ms twice
        assertThat(busy).isGreaterThanOrEqualTo(0.090).isLessThanOrEqualTo(wall);
        assertThat(summed).isGreaterThanOrEqualTo(busy + 0.030);
    }

    @Test
    void aSpanClosedWithoutRecordCountsAsBusyButPutsNothingOnTheTimer() {
        String step = StageMeters.JUDGING;
        double busyBefore = StageMeters.busySeconds(step);
        long countBefore = StageMeters.time(step).count();
        try (StageMeters.Span span = StageMeters.begin(step)) {
            pass(20);
            // a failure: the work ends without span.record()
        }
        assertThat(StageMeters.busySeconds(step) - busyBefore).isGreaterThanOrEqualTo(0.020);
        assertThat(StageMeters.time(step).count()).isEqualTo(countBefore);
        // closed spans leave no busy period open: nothing more accrues
        double settled = StageMeters.busySeconds(step);
        pass(20);
        assertThat(StageMeters.busySeconds(step)).isEqualTo(settled);
    }

    /** Lets at least {@code ms} of wall time pass on this thread. */
    private static void pass(long ms) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }
}
