package org.crsaug.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The latency part of {@code crs bench stream}: M new dialogues at R per second, repeated; for each
 * dialogue the time from its ingest commit until every one of its contexts has candidates, until every
 * one has augmented labels, and until the first checkpoint trained on all those labels.
 */
final class StreamLatency {

    /** Seconds per dialogue of every run, and each run's median. */
    private final List<Double> candidates = new ArrayList<>();
    private final List<Double> labels = new ArrayList<>();
    private final List<Double> checkpoint = new ArrayList<>();
    private final List<Double> runCandidates = new ArrayList<>();
    private final List<Double> runLabels = new ArrayList<>();
    private final List<Double> runCheckpoint = new ArrayList<>();
    private int dialoguesWithoutCheckpoint;
    private int contextsWithoutLabels;

    private final PacedSender sender;
    private final StageWatch watch;
    private final PrintStream out;

    StreamLatency(PacedSender sender, StageWatch watch, PrintStream out) {
        this.sender = sender;
        this.watch = watch;
        this.out = out;
    }

    void run(StreamDialogues dialogues, String tag, StreamBench.Options o) throws InterruptedException {
        for (int r = 1; r <= o.runs(); r++) {
            PacedSender.Batch batch = sender.send(dialogues, tag + "r" + r, o.dialogues(), o.rate(), watch::check,
                    sent -> { });
            List<String> contexts = batch.contextIds();
            boolean allLabelled = watch.await(o.stageTimeout(), () -> watch.labelled(contexts) == contexts.size());
            List<StageWatch.Labels> runLabelRecords = contexts.stream().map(watch::labels).flatMap(Optional::stream)
                    .toList();
            long checkpointWait = System.nanoTime();
            boolean checkpointed = allLabelled
                    && watch.await(o.checkpointTimeout(), () -> watch.firstIncluding(runLabelRecords).isPresent());
            if (checkpointed) {
                // the round's other modes are still training: the next run would compete with them for the cores
                int round = watch.firstIncluding(runLabelRecords).orElseThrow().round();
                watch.await(o.checkpointTimeout().minusNanos(System.nanoTime() - checkpointWait),
                        () -> watch.checkpointsOfRound(round) >= o.modesPerRound());
            }
            List<Double> c = new ArrayList<>();
            List<Double> l = new ArrayList<>();
            List<Double> k = new ArrayList<>();
            for (PacedSender.Sent s : batch.sent()) {
                latest(s, s.contextIds().stream().map(watch::candidates).toList()).ifPresent(c::add);
                List<Optional<StageWatch.Labels>> ls = s.contextIds().stream().map(watch::labels).toList();
                latest(s, ls.stream().map(x -> x.map(StageWatch.Labels::seenNanos)).toList()).ifPresent(l::add);
                if (ls.stream().allMatch(Optional::isPresent)) {
                    Optional<StageWatch.CheckpointSeen> first = watch.firstIncluding(
                            ls.stream().map(Optional::get).toList());
                    first.ifPresentOrElse(f -> k.add((f.seenNanos() - s.committedNanos()) / 1e9),
                            () -> dialoguesWithoutCheckpoint++);
                } else {
                    dialoguesWithoutCheckpoint++;
                }
            }
            contextsWithoutLabels += contexts.size() - (int) watch.labelled(contexts);
            candidates.addAll(c);
            labels.addAll(l);
            checkpoint.addAll(k);
            addMedian(runCandidates, c);
            addMedian(runLabels, l);
            addMedian(runCheckpoint, k);
            out.printf(Locale.ROOT, "  run %d: %d dialogues (%d contexts) sent at %.2f/s (asked %.2f/s), intake commit"
                    + " median %.0f ms; median ingest -> candidates %s, -> labels %s, -> checkpoint %s%n", r,
                    batch.sent().size(), contexts.size(), batch.achievedRate(), o.rate(),
                    Stats.median(batch.sent().stream().map(s -> s.submitNanos() / 1e6).toList()), seconds(c),
                    allLabelled ? seconds(l) : seconds(l) + " (" + (contexts.size() - watch.labelled(contexts))
                            + " contexts without labels after " + o.stageTimeout().toSeconds() + " s)",
                    checkpointed ? seconds(k) : "none within " + o.checkpointTimeout().toSeconds() + " s");
        }
    }

    /** Prints the figures: the median of the runs' medians, then percentiles over every dialogue. */
    void print(StreamBench.Options o, String trainerRounds) {
        out.println(figure("ingest -> candidates (every context of the dialogue)", runCandidates, candidates, ""));
        out.println(figure("ingest -> augmented labels (every context of the dialogue)", runLabels, labels,
                contextsWithoutLabels > 0 ? "; " + contextsWithoutLabels + " contexts got no labels within "
                        + o.stageTimeout().toSeconds() + " s" : ""));
        String rounds = "; the platform's rounds: " + trainerRounds;
        if (checkpoint.isEmpty()) {
            out.printf(Locale.ROOT, "ingest -> first checkpoint including them: no checkpoint within %d s of the"
                    + " labels (of %d dialogues)%s%n", o.checkpointTimeout().toSeconds(), dialoguesWithoutCheckpoint,
                    rounds);
        } else {
            out.println(figure("ingest -> first checkpoint including them", runCheckpoint, checkpoint,
                    (dialoguesWithoutCheckpoint > 0 ? "; " + dialoguesWithoutCheckpoint + " dialogues in no checkpoint"
                            + " within " + o.checkpointTimeout().toSeconds() + " s" : "") + rounds));
        }
    }

    /** The p95 of ingest -> labels over every dialogue, NaN when none got its labels. */
    double labelsP95() {
        return labels.isEmpty() ? Double.NaN : Stats.percentile(labels, 95);
    }

    private static String figure(String what, List<Double> runMedians, List<Double> all, String more) {
        if (all.isEmpty()) {
            return what + ": none seen" + more;
        }
        return String.format(Locale.ROOT, "%s: median %.2f s (the median of %d run medians %s), over all %d dialogues"
                + " p50 %.2f s, p95 %.2f s, p99 %.2f s%s", what, Stats.median(runMedians), runMedians.size(),
                runMedians.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList(), all.size(),
                Stats.percentile(all, 50), Stats.percentile(all, 95), Stats.percentile(all, 99), more);
    }

    /** Seconds from the dialogue's commit until the last of its contexts' times, if every one has a time. */
    private static Optional<Double> latest(PacedSender.Sent s, List<Optional<Long>> times) {
        if (times.isEmpty() || !times.stream().allMatch(Optional::isPresent)) {
            return Optional.empty();
        }
        long last = times.stream().mapToLong(Optional::get).max().orElseThrow();
        return Optional.of((last - s.committedNanos()) / 1e9);
    }

    private static void addMedian(List<Double> to, List<Double> values) {
        if (!values.isEmpty()) {
            to.add(Stats.median(values));
        }
    }

    private static String seconds(List<Double> values) {
        return values.isEmpty() ? "none" : String.format(Locale.ROOT, "%.2f s", Stats.median(values));
    }
}
