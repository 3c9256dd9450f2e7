package org.crsaug.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.crsaug.testkit.DataSlices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs bench soak} for a few seconds against the crs up it starts on a synthetic INSPIRED slice:
 * the child JVM is measured from outside (heap after GC, files, threads), every posted dialogue comes
 * back labelled once per context, and each figure has its line. Nothing is timed here.
 */
class SoakBenchTest {

    @Test
    void postsToItsOwnCrsUpAndAccountsForEveryDialogue(@TempDir Path tmp) throws Exception {
        Path data = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp.resolve("data"),
                Map.of("train", 16, "valid", 4, "test", 4));
        Path state = tmp.resolve("state");
        // no automatic rounds: their training would take the cores for the whole of a short soak
        BenchCli bench = BenchCli.run("soak", "--state-dir", state.toString(), "--data-dir", data.toString(), "--minutes", "0.2",
                "--rate", "2", "--sample-seconds", "4", "--heap", "1g", "--settle-timeout", "5", "--drain-timeout", "90",
                "--set", "trainer.round.min.new.labels=0", "--set", "retriever.top.k=20", "--set", "topic.partitions=2");
        assertThat(bench.rc()).as(bench.out() + bench.err()).isZero();
        assertThat(bench.out()).as(bench.out()).contains(
                "crs up under test: dataset inspired, judge retrieval-only, encoder all-minilm-l6-v2",
                "crs up: ready in", "crs up settled after",
                "soak: 24 dialogues at 2.00/s for 0:12 min",
                "heap-after-GC", "crs-retriever=", "crs-scorer=",
                "judge of the platform (from its labels records): retrieval-only",
                "totals: posted 24, acknowledged 24, labelled 24 dialogues",
                "contexts with more than one labels record: 0 -> nothing lost",
                "heap after GC: ", "open files: ", "threads: ", "not judged: the second half has",
                "crs up stopped: cleanly");
        assertThat(bench.out()).as("a row with a heap figure").containsPattern("\\d+\\.\\d MiB +\\d+ MiB +\\d+ +\\d+");
    }
}
