package org.crsaug.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.crsaug.data.ingest.DialogueIntake;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;

/**
 * {@code crs bench stream}: new dialogues streamed into a running platform (a {@code crs up}, or a
 * cluster its services run on), through the same intake as {@code crs ingest --file}, timed through
 * the pipeline's stages as a reader of its topics sees them; then the highest rate that does not
 * build a backlog; then how labels/s of an LLM-bound judge grow with extra scorer processes.
 */
public final class StreamBench {

    /** The parts a run measures; each prints its own figures. */
    public enum Part { latency, sustained, scaling }

    /**
     * @param files          the dialogues to send (empty: the dataset's valid split)
     * @param dialogues      M, dialogues per latency run
     * @param rate           R, dialogues per second in the latency runs
     * @param steps          the sustained-rate steps, dialogues per second
     * @param extraScorers   the extra scorer process counts of the scaling part
     * @param modesPerRound  checkpoints a round of the platform publishes (its trainer.modes), waited for
     *                       before the next latency run so that run does not share the cores with training
     */
    public record Options(String dataset, List<Path> files, int dialogues, double rate, int runs,
            Duration stageTimeout, Duration checkpointTimeout, List<Double> steps, Duration stepDuration,
            List<Integer> extraScorers, int scalingContexts, long latencyMs, Set<Part> parts, int modesPerRound) {
    }

    private final Platform platform;
    private final PrintStream out;

    public StreamBench(Platform platform, PrintStream out) {
        this.platform = platform;
        this.out = out;
    }

    public void run(Options o) throws InterruptedException {
        CrsConfig config = platform.config();
        out.printf(Locale.ROOT, "platform: Kafka at %s, schema registry at %s%s%n", platform.bootstrapServers(),
                platform.registryUrl(), platform.attached() ? " (the crs up on " + config.getPath("state.dir")
                        .toAbsolutePath() + ")" : "");
        out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, " + load());
        // a fresh tag per bench run: every dialogue id is new to the pipeline, so nothing is skipped as unchanged
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (DialogueIntake intake = new DialogueIntake(platform, "crs-bench-stream-" + tag);
                StageWatch watch = new StageWatch(platform)) {
            PacedSender sender = PacedSender.through(intake);
            if (o.parts().contains(Part.latency) || o.parts().contains(Part.sustained)) {
                List<Path> files = o.files().isEmpty() ? List.of(StreamDialogues.defaultFile(config, o.dataset()))
                        : o.files();
                StreamDialogues dialogues = StreamDialogues.load(intake, files, o.dataset());
                out.printf(Locale.ROOT, "dialogues: %d from %s (%.1f contexts each on average%s), sent as new %s"
                        + " train dialogues under fresh ids (%s:bench-%s-...)%n", dialogues.size(),
                        files.stream().map(Path::toString).collect(Collectors.joining(", ")),
                        dialogues.contextsPerDialogue(), dialogues.withoutContexts() > 0 ? "; "
                                + dialogues.withoutContexts() + " without a context left out" : "", o.dataset(),
                        o.dataset(), tag);
                if (o.parts().contains(Part.latency)) {
                    StreamLatency latency = new StreamLatency(sender, watch, out);
                    out.printf(Locale.ROOT, "latency: %d run(s) of %d dialogues at %.2f dialogues/s, each timed from its"
                            + " intake commit to the first committed record of every one of its contexts%n", o.runs(),
                            o.dialogues(), o.rate());
                    latency.run(dialogues, tag, o);
                    out.println("judge of the platform (from its labels records): " + judges(watch));
                    latency.print(o, trainerRounds(config));
                    out.printf(Locale.ROOT, "target p95 ingest -> augmented labels <= 2 s at 2 dialogues/s: %s%n",
                            o.rate() != 2.0 ? "not measured (--rate is not 2)" : Double.isNaN(latency.labelsP95())
                                    ? "missed (no labels)" : String.format(Locale.ROOT, "%s (p95 %.2f s)",
                                            latency.labelsP95() <= 2.0 ? "met" : "missed", latency.labelsP95()));
                }
                if (o.parts().contains(Part.sustained)) {
                    out.printf(Locale.ROOT, "sustained rate: steps %s dialogues/s, %d s each, drained in between%n",
                            o.steps(), o.stepDuration().toSeconds());
                    new SustainedRate(sender, watch, out).run(dialogues, tag, o);
                }
            }
        }
        if (o.parts().contains(Part.scaling)) {
            new ScorerScaling(platform, out).run(o);
        }
        out.println("machine at the end: " + load());
    }

    /** The judge ids of the labels records seen, e.g. "retrieval-only". */
    private static String judges(StageWatch watch) {
        String ids = watch.judgeIds().stream().sorted().collect(Collectors.joining(", "));
        return ids.isEmpty() ? "unknown (no labels seen)" : ids;
    }

    /**
     * The round settings as this bench reads them: the same layers (--config, environment, --set) a
     * {@code crs up} started the same way reads, but not flags only that crs up was given.
     */
    private static String trainerRounds(CrsConfig config) {
        return "trainer.round.min.new.labels=" + config.get("trainer.round.min.new.labels") + ", trainer.round.quiet.ms="
                + config.get("trainer.round.quiet.ms") + ", trainer.round.interval.ms="
                + config.get("trainer.round.interval.ms") + " (as read by this bench: pass the same --set as crs up)";
    }

    /** The load average, which says how much else was running on the machine. */
    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return "load average " + f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min)";
        } catch (IOException | RuntimeException e) {
            return "load average unknown";
        }
    }
}
