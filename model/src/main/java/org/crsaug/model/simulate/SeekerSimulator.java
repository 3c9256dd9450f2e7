package org.crsaug.model.simulate;

import java.util.List;
import org.crsaug.schema.Item;
import org.crsaug.schema.Turn;

/**
 * A simulated seeker: it knows the item it is after and, after each recommendation that missed, says
 * something more about it without naming it. Turn 1 of every episode is the real dialogue, so a seeker
 * only speaks from turn 2 on.
 */
public interface SeekerSimulator extends AutoCloseable {

    /**
     * What the seeker is asked for one turn.
     *
     * @param episodeId stable id of the episode (a template choice or a cache key may depend on it)
     * @param target    the hidden target
     * @param dialogue  everything said so far, ending with the recommender's reply that missed
     * @param turn      the turn about to be spoken, 2 or more
     */
    record Request(String episodeId, Item target, List<Turn> dialogue, int turn) {
    }

    /**
     * The seeker's words for a turn.
     *
     * @param revealed      what they add: genres, plot, director, star, decade or nothing
     * @param invalidReason null when the seeker kept to the rules; otherwise why the episode cannot count
     */
    record Reply(String text, String revealed, String invalidReason) {

        public static Reply of(String text, String revealed) {
            return new Reply(text, revealed, null);
        }

        public boolean valid() {
            return invalidReason == null;
        }
    }

    /** {@code attributes} or {@code llm}: the {@code simulator.kind} that picks it. */
    String name();

    /** Template or prompt version; part of the simulation id, so a changed seeker is a new simulation. */
    String version();

    /** Safe to call from several threads at once for different episodes. */
    Reply reply(Request request);

    /** How many episodes may ask for their next turn at once: a remote seeker waits on the network. */
    default int parallelism() {
        return 1;
    }

    @Override
    default void close() {
    }
}
