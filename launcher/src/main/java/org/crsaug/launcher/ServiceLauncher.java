package org.crsaug.launcher;

import java.util.function.Function;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.service.Service;
import org.crsaug.platform.service.ServiceRunner;
import org.crsaug.evaluator.EvaluatorService;
import org.crsaug.retriever.RetrieverService;
import org.crsaug.scorer.ScorerService;
import org.crsaug.trainer.TrainerService;

/** Maps a service name to its factory. */
final class ServiceLauncher {

    private ServiceLauncher() {
    }

    static int runUntilStopped(CrsConfig config, String name) throws InterruptedException {
        Function<Platform, Service> factory = switch (name) {
            case "retriever" -> RetrieverService::new;
            case "scorer" -> ScorerService::create;
            case "trainer" -> TrainerService::new;
            case "evaluator" -> EvaluatorService::new;
            default -> throw new IllegalArgumentException("Unknown service " + name);
        };
        return ServiceRunner.runUntilStopped(config, factory);
    }
}
