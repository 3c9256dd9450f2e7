package org.crsaug.retriever;

import org.crsaug.platform.service.ServiceRunner;

/** Runs the retriever as its own process: {@code --config FILE}, {@code --set key=value}, CRS_* variables. */
public final class RetrieverMain {

    private RetrieverMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(ServiceRunner.runUntilStopped(ServiceRunner.parseArgs(args), RetrieverService::new));
    }
}
