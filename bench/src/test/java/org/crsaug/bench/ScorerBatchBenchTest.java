package org.crsaug.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs bench scorer --mode batch} on tiny settings (6 contexts, batch files of at most 4 lines, one run)
 * on its own embedded broker: every figure gets its labelled line, and the counts are the exact ones. Nothing
 * is timed here.
 */
class ScorerBatchBenchTest {

    @Test
    void printsEveryFigureOfABacklogJudgedThroughBatches(@TempDir Path tmp) {
        BenchCli bench = BenchCli.run("scorer", "--mode", "batch", "--state-dir", tmp.resolve("state").toString(),
                "--contexts", "6", "--max-requests", "4", "--poll-ms", "50", "--repeats", "1");

        assertThat(bench.rc()).as(bench.out() + bench.err()).isZero();
        assertThat(bench.out()).as(bench.out()).contains(
                "batch mode against the fake server's Batch API: 6 contexts x 10 candidates",
                "at most 4 lines per batch file, polled every 50 ms",
                "batch files: 2, request lines per file: [4, 2] (6 lines, 60 judgements journalled for 60 scored pairs)",
                "backlog -> every batch journalled (stream running): median ",
                "backlog -> every pair scored: median ",
                "chat calls during the last run: 0",
                "cost of the same pairs (",
                "at online prices $", "at batch prices $", "under mode=batch), 50% saved");
        // the batch price is half the online one, and the cost meter agrees with the tokens it was given
        String cost = bench.out().lines().filter(l -> l.startsWith("cost of the same pairs")).findFirst().orElseThrow();
        double online = dollars(cost, "at online prices $");
        double batch = dollars(cost, "at batch prices $");
        double metered = dollars(cost, "the cost meter counted $");
        assertThat(online).isPositive();
        assertThat(batch).isCloseTo(online / 2, org.assertj.core.data.Offset.offset(2e-6));
        assertThat(metered).isCloseTo(batch, org.assertj.core.data.Offset.offset(2e-6));
    }

    private static double dollars(String line, String after) {
        String rest = line.substring(line.indexOf(after) + after.length());
        return Double.parseDouble(rest.split("[ ,)]")[0]);
    }
}
