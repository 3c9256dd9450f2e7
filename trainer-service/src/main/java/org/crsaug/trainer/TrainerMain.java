package org.crsaug.trainer;

import org.crsaug.platform.service.ServiceRunner;

/** Runs the trainer as its own process: {@code --config FILE}, {@code --set key=value}, CRS_* variables. */
public final class TrainerMain {

    private TrainerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(ServiceRunner.runUntilStopped(ServiceRunner.parseArgs(args), TrainerService::new));
    }
}
