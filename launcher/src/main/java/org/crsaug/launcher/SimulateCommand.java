package org.crsaug.launcher;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.data.dataset.Datasets;
import org.crsaug.launcher.experiment.SimulationReport;
import org.crsaug.model.simulate.SeekerSimulator;
import org.crsaug.model.simulate.Seekers;
import org.crsaug.model.simulate.SimulationJob;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.CheckpointDirectory;
import org.crsaug.schema.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint with a user simulator (the iEvaLM protocol): for every test pair a"
                + " simulated seeker who knows the gold item talks to the recommender for up to T turns; prints"
                + " Recall@1/10/50 at every turn and the mean turns to success, and writes a report.",
        footer = {"", "Examples:", "  crs simulate --dataset inspired",
                "  crs simulate --dataset redial --checkpoint redial-r1-two-stage-semantic-1a2b3c4d --turns 3"})
final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--dataset", required = true, description = "Dataset whose test split is simulated.")
    String dataset;

    @Option(names = "--checkpoint", defaultValue = "best", paramLabel = "ID",
            description = "Checkpoint id, or 'best' by validation recall (default ${DEFAULT-VALUE}).")
    String checkpointId;

    @Option(names = "--turns", paramLabel = "T", description = "Most turns per episode (default: simulator.turns, 5).")
    Integer turns;

    @Option(names = "--simulator", paramLabel = "KIND", description = "Who plays the seeker: attributes (offline) or"
            + " llm (the judge's chat endpoint, scorer.llm.*) (default: simulator.kind, attributes).")
    String simulator;

    @Option(names = "--out", paramLabel = "DIR", description = "Report directory (default reports/simulate-<dataset>-<time>).")
    Path out;

    @Option(names = "--resimulate", description = "Simulate again even when the episodes topic already holds every"
            + " episode of this simulation (same checkpoint, simulator version and turns); by default those are reused.")
    boolean resimulate;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        ConfigOptions.putIfSet(flags, "simulator.turns", turns);
        ConfigOptions.putIfSet(flags, "simulator.kind", simulator);
        CrsConfig config = options.load(flags);
        String name = Datasets.checkName(dataset);
        Seekers.checkSettings(config, System.getenv());
        Path dir = out != null ? out : Path.of(config.get("report.dir", "reports"),
                "simulate-" + name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Logging.toFile(config);
        try (Platform platform = Platform.start(config);
                SeekerSimulator seeker = Seekers.create(config, System.getenv(), platform)) {
            platform.ensureTopics();
            Checkpoint checkpoint = CheckpointDirectory.resolve(platform, checkpointId, name);
            if (!checkpoint.getDataset().equals(name)) {
                throw new IllegalArgumentException("Checkpoint " + checkpoint.getCheckpointId() + " was trained on "
                        + checkpoint.getDataset() + ", not " + name + "; pass --dataset " + checkpoint.getDataset());
            }
            SimulationJob.Outcome outcome = SimulationJob.run(platform, checkpoint, seeker,
                    config.getInt("simulator.turns"),
                    resimulate ? SimulationJob.Earlier.NONE : SimulationJob.Earlier.fromTopic(platform));
            if (outcome.reused()) {
                System.out.println("reused the " + outcome.result().episodes().size() + " episodes an earlier run of"
                        + " this simulation published (--resimulate runs it again)");
            }
            SimulationReport report = new SimulationReport(outcome);
            System.out.println("checkpoint " + checkpoint.getCheckpointId() + ", simulator " + outcome.simulatorVersion()
                    + ", " + name + " test split");
            System.out.print(report.text());
            Path html = report.write(dir);
            System.out.println("report: " + html.toAbsolutePath());
            System.out.println("        " + dir.resolve("report.md").toAbsolutePath());
        }
        return 0;
    }
}
