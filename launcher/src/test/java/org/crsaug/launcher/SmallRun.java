package org.crsaug.launcher;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crsaug.serve.RecommendationEngine;
import org.crsaug.serve.RecommendationServer;

/** What the tests that train real checkpoints on a data slice share: settings for a quick run, clean-up, arguments. */
final class SmallRun {

    private SmallRun() {
    }

    /**
     * Settings of a quick pipeline run over the slice in {@code data}: a round as soon as asked, few epochs,
     * 20 candidates per context; {@code more} adds or overrides settings.
     */
    static Map<String, String> settings(Path data, Path stateDir, Map<String, String> more) {
        Map<String, String> s = new LinkedHashMap<>(Map.of(
                "data.dir", data.toString(),
                "state.dir", stateDir.toString(),
                "trainer.round.min.new.labels", "0",
                "trainer.pretrain.epochs", "2",
                "trainer.finetune.epochs", "3",
                "retriever.top.k", "20"));
        s.putAll(more);
        return s;
    }

    /** Closes what a test's set-up got as far as starting: the server first, it answers from the engine. */
    static void stop(RecommendationServer server, RecommendationEngine engine) {
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.stop();
        }
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
