package org.crsaug.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sustained-rate part of {@code crs bench stream}: steps the rate up (by default 1, 2, 4, 8, 16 dialogues/s
 * for a fixed time each, the backlog drained between steps) and finds the highest rate at which the
 * labels backlog (contexts sent whose labels are not yet committed) does not grow over the step.
 *
 * <p>At a rate the pipeline keeps up with, the backlog hovers around rate x latency; at one it does
 * not, it climbs for as long as the step lasts. "Grows" is a least-squares slope of the backlog over
 * the second half of the step above a tenth of the offered context rate (the pipeline falls more than
 * 10% behind), or the intake itself not reaching 90% of the asked rate.
 */
final class SustainedRate {

    private static final double GROWTH_SHARE = 0.10;

    private final PacedSender sender;
    private final StageWatch watch;
    private final PrintStream out;

    SustainedRate(PacedSender sender, StageWatch watch, PrintStream out) {
        this.sender = sender;
        this.watch = watch;
        this.out = out;
    }

    /** Backlog samples: seconds since the step started, contexts sent without labels. */
    private record Sample(double seconds, long backlog) {
    }

    void run(StreamDialogues dialogues, String tag, StreamBench.Options o) throws InterruptedException {
        double sustained = 0;
        String stoppedBy = "every step kept up; try higher --steps";
        for (double rate : o.steps()) {
            int count = Math.max(2, (int) Math.round(rate * o.stepDuration().toMillis() / 1000.0));
            List<String> sentContexts = new ArrayList<>();
            List<Sample> samples = new ArrayList<>();
            long started = System.nanoTime();
            long[] nextSample = {started};
            PacedSender.Batch batch = sender.send(dialogues, tag + "s" + rate, count, rate, () -> {
                watch.check();
                long now = System.nanoTime();
                if (now >= nextSample[0]) {
                    samples.add(new Sample((now - started) / 1e9, sentContexts.size() - watch.labelled(sentContexts)));
                    nextSample[0] = now + 250_000_000L;
                }
            }, sent -> sentContexts.addAll(sent.contextIds()));
            long end = System.nanoTime();
            long backlogAtEnd = sentContexts.size() - watch.labelled(sentContexts);
            boolean drained = watch.await(o.stageTimeout(), () -> watch.labelled(sentContexts) == sentContexts.size());
            double drainSeconds = (System.nanoTime() - end) / 1e9;
            // a round trained meanwhile takes the cores from retrieval and scoring: say so beside the verdict
            long checkpoints = watch.checkpointsSeenBetween(started, System.nanoTime());
            double stepSeconds = (end - started) / 1e9;
            double offeredContexts = rate * dialogues.contextsPerDialogue();
            double slope = slope(samples.subList(samples.size() / 2, samples.size()));
            double achieved = batch.achievedRate();
            boolean intakeBehind = achieved < 0.9 * rate;
            boolean grows = slope > GROWTH_SHARE * offeredContexts || intakeBehind || !drained;
            out.printf(Locale.ROOT, "  step %.1f dialogues/s for %.0f s: %d dialogues (%d contexts) sent at %.2f/s,"
                    + " labels backlog max %d, at the end %d contexts, slope over the second half %+.2f contexts/s"
                    + " (offered %.1f contexts/s), %s, checkpoints published meanwhile: %d -> %s%n", rate, stepSeconds,
                    count, sentContexts.size(),
                    achieved, samples.stream().mapToLong(Sample::backlog).max().orElse(0), backlogAtEnd, slope,
                    offeredContexts, drained ? String.format(Locale.ROOT, "drained %.1f s after the last send",
                            drainSeconds) : "not drained within " + o.stageTimeout().toSeconds() + " s", checkpoints,
                    grows ? (intakeBehind ? "the intake could not send at this rate" : "lag grows") : "keeps up");
            if (grows) {
                stoppedBy = String.format(Locale.ROOT, "at %.1f/s %s", rate,
                        intakeBehind ? "the intake could not send faster than " + String.format(Locale.ROOT, "%.2f/s",
                                achieved) : "the labels backlog grew");
                break;
            }
            sustained = rate;
        }
        out.printf(Locale.ROOT, "sustained dialogues/s before lag grows: %s (steps of %d s; %s)%n",
                sustained > 0 ? String.format(Locale.ROOT, "%.1f", sustained) : "below the first step",
                o.stepDuration().toSeconds(), stoppedBy);
    }

    /** Least-squares slope of the backlog over time, 0 for fewer than two samples. */
    private static double slope(List<Sample> samples) {
        return Stats.slope(samples.stream().mapToDouble(Sample::seconds).toArray(),
                samples.stream().mapToDouble(Sample::backlog).toArray());
    }
}
