package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A paused or retrying stage is on its progress line, and in a log each change is a line of its own. */
class ProgressBarTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private ProgressBar bar(boolean interactive) {
        return new ProgressBar(new PrintStream(out, true, StandardCharsets.UTF_8), "[2/5] retrieve+judge", interactive);
    }

    private String text() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalTheConditionFollowsTheCountsUntilCleared() {
        ProgressBar bar = bar(true);
        bar.condition("scorer: paused: the judge's endpoint is unreachable (connection refused); judging again in 4 s");
        bar.update(new ProgressBar.Counter("train contexts labelled", 0, 10));
        assertThat(text()).contains("labelled 0/10", "  | scorer: paused: the judge's endpoint is unreachable");
        out.reset();
        bar.condition("");
        bar.update(new ProgressBar.Counter("train contexts labelled", 3, 10));
        assertThat(text()).contains("labelled 3/10").doesNotContain("paused");
    }

    @Test
    void inALogEachChangeIsPrintedOnceWithItsEnd() {
        ProgressBar bar = bar(false);
        String paused = "scorer: LLM call failed (HTTP 503), attempt 1 of 3, next try in 1 s";
        bar.condition(paused);
        bar.condition(paused);
        bar.condition("");
        bar.condition("");
        assertThat(text().lines()).containsExactly("[2/5] retrieve+judge " + paused,
                "[2/5] retrieve+judge going again after: " + paused);
    }
}
