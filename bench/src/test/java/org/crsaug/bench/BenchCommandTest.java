package org.crsaug.bench;

import org.crsaug.testkit.CommandHelp;
import org.junit.jupiter.api.Test;

class BenchCommandTest {

    @Test
    void everyBenchmarkHasHelpWithExamples() {
        CommandHelp.assertEveryCommandHasExamples(Bench::commandLine, "crs bench", 3);
    }
}
