package org.crsaug.scorer;

import org.crsaug.platform.service.ServiceRunner;

/** Runs the scorer as its own process: {@code --config FILE}, {@code --set key=value}, CRS_* variables. */
public final class ScorerMain {

    private ScorerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(ServiceRunner.runUntilStopped(ServiceRunner.parseArgs(args), ScorerService::create));
    }
}
