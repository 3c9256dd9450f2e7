package org.crsaug.model.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** A run's LLM spend split by how the tokens were bought, from the process's cost meters. */
class LlmCostsTest {

    @Test
    void theSpendSinceAReadingIsSplitIntoOnlineAndBatchAtTheirPrices() {
        LlmCosts before = LlmCosts.now();
        // a million prompt and a million completion tokens each way; batch tokens at half the price
        new LlmUsage(LlmUsage.JUDGE, "cost-test-model", 0.15, 0.60).answered(1_000_000, 1_000_000);
        new LlmUsage(LlmUsage.JUDGE, "cost-test-model", 0.075, 0.30, LlmUsage.BATCH).answered(1_000_000, 1_000_000);

        LlmCosts run = LlmCosts.now().since(before);

        assertThat(run.usd(LlmUsage.ONLINE)).isCloseTo(0.75, within(1e-9));
        assertThat(run.usd(LlmUsage.BATCH)).isCloseTo(0.375, within(1e-9));
        assertThat(run.totalUsd()).isCloseTo(1.125, within(1e-9));
        assertThat(run.line()).isEqualTo("LLM cost (estimate): online $0.7500, batch $0.3750, total $1.1250");
        assertThat(new LlmCosts(java.util.Map.of()).line())
                .isEqualTo("LLM cost (estimate): online $0.0000, batch $0.0000, total $0.0000");
    }
}
