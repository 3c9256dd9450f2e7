package org.crsaug.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.crsaug.data.ingest.DialogueIntake;
import org.crsaug.schema.Dialogue;

/**
 * Sends dialogues one at a time at a fixed rate: the n-th is due n/R seconds after the first, so a slow
 * send is caught up on rather than shifting every later one. {@code crs bench stream} sends through
 * {@link DialogueIntake} (the path of {@code crs ingest --file} and {@code POST /api/dialogues}), one
 * transaction each; {@code crs bench soak} posts to a {@code crs up}'s HTTP API.
 */
final class PacedSender {

    /** Hands one dialogue to the pipeline. */
    @FunctionalInterface
    interface Intake {
        /**
         * @return true once the dialogue is acknowledged (committed); false when it was refused, which the
         *     intake has counted and reported itself (a soak goes on); or it throws to end the send
         */
        boolean submit(Dialogue dialogue) throws InterruptedException;
    }

    /** One dialogue as sent: its id, its contexts and when its transaction was committed (nanoTime). */
    record Sent(String dialogueId, List<String> contextIds, long committedNanos, long submitNanos) {
    }

    /** What was sent and the rate it went out at. */
    record Batch(List<Sent> sent, long startedNanos, long endedNanos) {
        /** Dialogues per second between the first commit and the last (the n-th is due (n-1)/R after the first). */
        double achievedRate() {
            if (sent.size() < 2) {
                return Double.NaN;
            }
            double seconds = (sent.get(sent.size() - 1).committedNanos() - sent.get(0).committedNanos()) / 1e9;
            return seconds <= 0 ? Double.POSITIVE_INFINITY : (sent.size() - 1) / seconds;
        }

        List<String> contextIds() {
            return sent.stream().flatMap(s -> s.contextIds().stream()).toList();
        }
    }

    private final Intake intake;

    PacedSender(Intake intake) {
        this.intake = intake;
    }

    /** Through the intake's own transaction, one per dialogue; a dialogue it does not publish ends the send. */
    static PacedSender through(DialogueIntake intake) {
        return new PacedSender(d -> {
            DialogueIntake.Outcome outcome = intake.submit(List.of(d), "crs bench stream");
            if (!outcome.clean() || outcome.published().size() != 1) {
                throw new IllegalStateException("The intake did not publish " + d.getDialogueId() + ": "
                        + outcome.summary() + (outcome.bad().isEmpty() ? "" : ", " + outcome.bad().get(0)));
            }
            return true;
        });
    }

    /**
     * Sends {@code count} dialogues; those the intake refused are left out of the batch.
     *
     * @param between called between sends and at least every 100 ms while waiting for the next one
     *                (the sustained-rate step samples the backlog there); it may throw to stop the send
     * @param onSent  called with each dialogue once its transaction is committed
     */
    Batch send(StreamDialogues dialogues, String tag, int count, double rate, Runnable between,
            Consumer<Sent> onSent) throws InterruptedException {
        List<Sent> sent = new ArrayList<>(count);
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = started + (long) (i * 1e9 / rate);
            long now;
            while ((now = System.nanoTime()) < due) {
                between.run();
                Thread.sleep(Math.max(1, Math.min(100, (due - now) / 1_000_000)));
            }
            StreamDialogues.Fresh d = dialogues.fresh(tag, i);
            long submit = System.nanoTime();
            boolean acknowledged = intake.submit(d.dialogue());
            long committed = System.nanoTime();
            if (!acknowledged) {
                between.run();
                continue;
            }
            Sent s = new Sent(d.dialogue().getDialogueId().toString(), d.contextIds(), committed, committed - submit);
            sent.add(s);
            onSent.accept(s);
            between.run();
        }
        return new Batch(sent, started, sent.isEmpty() ? started : sent.get(sent.size() - 1).committedNanos());
    }
}
