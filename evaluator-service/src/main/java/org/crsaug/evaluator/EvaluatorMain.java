package org.crsaug.evaluator;

import org.crsaug.platform.service.ServiceRunner;

/** Runs the evaluator as its own process: {@code --config FILE}, {@code --set key=value}, CRS_* variables. */
public final class EvaluatorMain {

    private EvaluatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(ServiceRunner.runUntilStopped(ServiceRunner.parseArgs(args), EvaluatorService::new));
    }
}
