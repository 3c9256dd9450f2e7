package org.crsaug.launcher;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.data.dataset.DataDirectory;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.model.training.ExtraPretraining;
import org.crsaug.platform.kafka.Platform;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on one dataset and print baseline vs two-stage recall.",
        footer = {"", "Examples:", "  crs run --dataset inspired", "  crs run --dataset redial --set trainer.alpha=0.4"})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--dataset", defaultValue = "inspired", description = "redial or inspired (default ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--timeout-minutes", defaultValue = "60", description = "Give up after this long (default ${DEFAULT-VALUE}).")
    int timeoutMinutes;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        CrsConfig config = options.load(BatchJobSettings.run(dataset));
        SettingsCheck.before(config, SettingsCheck.PIPELINE);
        // fail on a wrong dataset or data directory before starting anything
        DataDirectory.datasetDir(config, dataset);
        ExtraPretraining.checkData(config, dataset);
        Logging.toFile(config);
        long started = System.nanoTime();
        PipelineRun run = null;
        try (StopSignal signal = StopSignal.install("crs run")) {
            try (Platform platform = Platform.startExclusive(config)) {
                platform.ensureTopics();
                run = new PipelineRun(platform, System.out, System.console() != null);
                List<PipelineRun.Row> rows = run.run(dataset, List.of(TrainingMode.BASELINE, TrainingMode.TWO_STAGE),
                        Duration.ofMinutes(timeoutMinutes));
                System.out.println("[5/5] results (" + dataset + ", test split, strict protocol: items mentioned"
                        + " earlier removed from gold and predictions)");
                System.out.print(ResultTable.render(rows));
                System.out.println(run.llmCosts().line());
                double seconds = (System.nanoTime() - started) / 1e9;
                java.nio.file.Path report = RunReport.write(config.getPath("state.dir").resolve("reports")
                        .toAbsolutePath(), dataset, rows, run.llmCosts(), seconds, config.asMap());
                System.out.printf(Locale.ROOT, "done in %.0f s%nreport: %s%nlog:    %s%n", seconds, report,
                        Logging.logFile(config));
            } catch (Exception e) {
                if (!signal.received()) {
                    throw e;
                }
                // the services and the broker are closed by now (try-with-resources): say so in one line
                System.out.printf(Locale.ROOT, "%ncrs run: stopped by a signal after %.0f s%s; services and broker"
                        + " closed cleanly. What was done is kept in %s: crs run again resumes without re-encoding"
                        + " or re-judging it.%n", (System.nanoTime() - started) / 1e9,
                        run == null ? " while starting" : " during " + run.stage(),
                        config.getPath("state.dir").toAbsolutePath());
                return 130;
            }
        }
        return 0;
    }
}
