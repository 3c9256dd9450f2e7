package org.crsaug.bench;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Optional;

/**
 * What a soak sent and what came out of the pipeline for it: every acknowledged dialogue until all its
 * contexts have a labels record, then its end-to-end time (from sending the request to the last of its
 * contexts' labels records being readable), handed out once per sample interval. Called from the sender
 * (sent) and the sampler (the rest), hence synchronized.
 */
final class SoakLedger {

    /** Figures of the dialogues acknowledged so far. */
    record Totals(long dialogues, long contexts, long labelledDialogues, long labelledContexts,
            long contextsWithSeveralLabels) {
    }

    private final StageWatch watch;
    private final List<PacedSender.Sent> all = new ArrayList<>();
    private final LinkedList<PacedSender.Sent> open = new LinkedList<>();
    private long contexts;
    private long labelledDialogues;

    SoakLedger(StageWatch watch) {
        this.watch = watch;
    }

    synchronized void sent(PacedSender.Sent s) {
        all.add(s);
        open.add(s);
        contexts += s.contextIds().size();
    }

    /** Seconds from post to labels of every dialogue that got all its labels since the last call. */
    synchronized List<Double> completedSinceLastCall() {
        List<Double> seconds = new ArrayList<>();
        for (Iterator<PacedSender.Sent> it = open.iterator(); it.hasNext(); ) {
            PacedSender.Sent s = it.next();
            Optional<Long> last = lastLabels(s);
            if (last.isPresent()) {
                // Sent holds the commit time and how long the request took: the post went out that long before
                long posted = s.committedNanos() - s.submitNanos();
                seconds.add((last.get() - posted) / 1e9);
                labelledDialogues++;
                it.remove();
            }
        }
        return seconds;
    }

    /** Contexts acknowledged whose labels are not readable yet. */
    synchronized long backlog() {
        return open.stream().mapToLong(s -> s.contextIds().size() - watch.labelled(s.contextIds())).sum();
    }

    /** Whether every dialogue acknowledged so far has all its labels (without handing out their times). */
    synchronized boolean allLabelled() {
        return open.stream().allMatch(s -> lastLabels(s).isPresent());
    }

    synchronized Totals totals() {
        long labelledContexts = 0;
        long several = 0;
        for (PacedSender.Sent s : all) {
            for (String c : s.contextIds()) {
                int records = watch.labelRecords(c);
                labelledContexts += records > 0 ? 1 : 0;
                several += records > 1 ? 1 : 0;
            }
        }
        return new Totals(all.size(), contexts, labelledDialogues, labelledContexts, several);
    }

    private Optional<Long> lastLabels(PacedSender.Sent s) {
        long last = Long.MIN_VALUE;
        for (String c : s.contextIds()) {
            Optional<StageWatch.Labels> l = watch.labels(c);
            if (l.isEmpty()) {
                return Optional.empty();
            }
            last = Math.max(last, l.get().seenNanos());
        }
        return Optional.of(last);
    }
}
