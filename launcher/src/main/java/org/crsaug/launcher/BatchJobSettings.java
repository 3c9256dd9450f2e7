package org.crsaug.launcher;

import java.util.Map;

/**
 * What a one-off batch command sets under the user's own settings ({@code --set} still wins) where it wants
 * something other than a long-running {@code crs up}. One place, so that {@code crs bench all}'s cold run
 * measures exactly what {@code crs run} does.
 */
public final class BatchJobSettings {

    /**
     * Commits of the exactly-once stream stages. {@code crs up} commits every 100 ms so a streamed dialogue's
     * labels appear within a fraction of a second; a batch job waits for all of them, and every commit costs
     * broker round trips and transaction markers on each partition it wrote. On a cold ReDial run (2 cores,
     * 2026-12-04) retrieve+judge took 182.8-202.7 s at 1,000 ms (median 191.4 s, five runs) against 192.6-205.6 s
     * at 100 ms (median 196.9 s, four runs).
     */
    static final String COMMIT_INTERVAL_MS = "1000";

    private BatchJobSettings() {
    }

    /**
     * {@code crs run}: it drives the training rounds itself (automatic rounds would train on half-labelled
     * data), and warm starts are off so that every mode of the comparison starts from the same seeded weights.
     */
    public static Map<String, String> run(String dataset) {
        return Map.of("trainer.dataset", dataset, "trainer.round.min.new.labels", "0", "trainer.warm.start", "false",
                "streams.commit.interval.ms", COMMIT_INTERVAL_MS);
    }

    /** {@code crs experiment}: it trains in its own process; the pipeline's trainer must not start rounds. */
    public static Map<String, String> experiment(String dataset) {
        return Map.of("trainer.dataset", dataset, "trainer.round.min.new.labels", "0",
                "streams.commit.interval.ms", COMMIT_INTERVAL_MS);
    }
}
