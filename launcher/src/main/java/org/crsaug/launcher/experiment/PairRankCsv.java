package org.crsaug.launcher.experiment;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Every model's rank of every test pair, one CSV row each, beside a report: what its intervals were computed
 * from, so a researcher can run their own test (or pool two experiments' seeds) in Python without reading
 * topics. Ranks are 1-based; an episode the simulator marked invalid, or a target never ranked, is left empty.
 */
final class PairRankCsv {

    static final String HEADER = "label_variant,catalogue,backbone,group,setting,seed,checkpoint,pair,rank";

    /** One model's ranks and the fields that say which model it is. */
    record Ranked(RunResult run, int[] ranks) {
    }

    private PairRankCsv() {
    }

    static void write(Path file, List<Ranked> models) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(HEADER);
            w.write('\n');
            for (Ranked m : models) {
                RunResult r = m.run();
                String prefix = String.join(",", field(r.variant()), field(r.catalogue()), field(r.backbone()),
                        field(r.group()), field(r.setting()), String.valueOf(r.seed()), field(r.checkpointId())) + ",";
                int[] ranks = m.ranks();
                for (int i = 0; i < ranks.length; i++) {
                    w.write(prefix);
                    w.write(String.valueOf(i));
                    w.write(',');
                    // ranks are 0-based in memory; Integer.MAX_VALUE stands for "never in the ranking"
                    w.write(ranks[i] == Integer.MAX_VALUE ? "" : String.valueOf(ranks[i] + 1));
                    w.write('\n');
                }
            }
        }
    }

    /** Settings are plain tokens, but a label variant is named by the user: quote it where CSV needs it. */
    private static String field(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
