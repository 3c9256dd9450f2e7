package org.crsaug.model.simulate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.model.eval.PairRanks;
import org.crsaug.model.eval.RecallMetrics.Protocol;
import org.crsaug.model.recommender.EvalContext;
import org.crsaug.schema.Item;
import org.crsaug.schema.Role;
import org.crsaug.schema.SimulatedTurn;
import org.crsaug.schema.SimulationEpisode;
import org.crsaug.schema.Turn;

/**
 * The user-simulator protocol (iEvaLM, as the method's paper uses it) over a set of test contexts: one
 * episode per (context, gold item) pair, the gold item being the seeker's hidden target. Turn 1 is the
 * real dialogue up to the gold recommender turn; after every seeker turn the recommender ranks the
 * catalogue without the items mentioned so far, and the target's rank is recorded. While the target is
 * not first, the recommender answers by naming its best item (which is then mentioned, as a rejected
 * suggestion is in the datasets) and the seeker speaks again, up to the last turn. The conversation does
 * not depend on k, so one episode gives the first turn of success at every cut-off.
 *
 * <p>Side-effect free apart from the ranker's and the seeker's work: the episodes are returned, and
 * publishing them is the caller's business. Turns are taken for all live episodes together, so a checkpoint
 * encodes and scores one batch per turn, and a remote seeker answers several episodes at once.
 */
public final class Simulation {

    /** Cut-offs whose first turn of success each episode records. */
    public static final int[] KS = {1, 10, 50};
    /** How many of the recommender's best items each turn record keeps. */
    static final int TOP_KEPT = 10;

    /**
     * What a simulation is run with.
     *
     * @param checkpointId the checkpoint behind the ranker, recorded in every episode
     * @param turns        most turns per episode, the first being the real dialogue
     */
    public record Settings(String checkpointId, String dataset, int turns) {
        public Settings {
            if (turns < 1) {
                throw new IllegalArgumentException("turns must be at least 1, got " + turns);
            }
        }
    }

    /** The episodes, and the test pairs left out because their gold item is not in the ranker's catalogue. */
    public record Result(String simulationId, List<SimulationEpisode> episodes, int pairsOutsideCatalogue) {
    }

    private Simulation() {
    }

    /** The id every episode of this simulation carries: what decides their content. */
    public static String simulationId(Settings settings, SeekerSimulator seeker) {
        return settings.checkpointId() + "|" + seeker.version() + "|turns=" + settings.turns();
    }

    /** The key of an episode on the topic. */
    public static String key(SimulationEpisode e) {
        return key(e.getSimulationId(), e.getContextId(), e.getTargetItemId());
    }

    static String key(String simulationId, String contextId, String targetItemId) {
        return simulationId + "|" + contextId + "|" + targetItemId;
    }

    /**
     * The episodes a simulation over these contexts holds, in the order it runs and returns them: one per (context,
     * gold item) pair whose gold item is in the ranker's catalogue and has metadata.
     *
     * @param episodes             each episode's context and target, in order
     * @param pairsOutsideCatalogue the test pairs left out
     */
    public record Plan(List<Map.Entry<DialogueContext, Item>> episodes, int pairsOutsideCatalogue) {

        /** The topic key of every planned episode, in order ({@link #key}). */
        public List<String> keys(String simulationId) {
            return episodes.stream().map(e -> key(simulationId, e.getKey().contextId(), e.getValue().getItemId()))
                    .toList();
        }
    }

    /** Which episodes a simulation of these contexts against this catalogue runs; nothing is ranked or said. */
    public static Plan plan(List<DialogueContext> contexts, Map<String, Item> items, List<String> catalogue) {
        Set<String> known = new java.util.HashSet<>(catalogue);
        List<Map.Entry<DialogueContext, Item>> episodes = new ArrayList<>();
        int outside = 0;
        for (DialogueContext c : contexts) {
            for (String gold : c.goldItemIds()) {
                Item target = items.get(gold);
                if (!known.contains(gold) || target == null) {
                    outside++;
                    continue;
                }
                episodes.add(Map.entry(c, target));
            }
        }
        return new Plan(List.copyOf(episodes), outside);
    }

    /**
     * The result of an earlier run of the same simulation, from its published episodes: what {@link #run} would
     * return again, since the id covers everything that decides an episode (checkpoint, seeker version, turns).
     *
     * @param stored the published episodes by key ({@link SimulationEpisodes#read})
     * @return empty unless every planned episode is there (a run stopped while publishing left only some)
     */
    public static java.util.Optional<Result> stored(Plan plan, String simulationId,
            Map<String, SimulationEpisode> stored) {
        List<SimulationEpisode> episodes = new ArrayList<>(plan.episodes().size());
        for (String key : plan.keys(simulationId)) {
            SimulationEpisode e = stored.get(key);
            if (e == null) {
                return java.util.Optional.empty();
            }
            episodes.add(e);
        }
        return java.util.Optional.of(new Result(simulationId, List.copyOf(episodes), plan.pairsOutsideCatalogue()));
    }

    /** Runs one episode per (context, gold item) pair whose gold item the ranker can rank. */
    public static Result run(List<DialogueContext> contexts, Map<String, Item> items, TurnRanker ranker,
            SeekerSimulator seeker, Settings settings, long nowMs) {
        String simulationId = simulationId(settings, seeker);
        Map<String, Integer> positions = new HashMap<>();
        List<String> catalogue = ranker.itemIds();
        for (int i = 0; i < catalogue.size(); i++) {
            positions.put(catalogue.get(i), i);
        }
        Plan plan = plan(contexts, items, catalogue);
        List<Live> live = new ArrayList<>();
        for (Map.Entry<DialogueContext, Item> e : plan.episodes()) {
            live.add(new Live(e.getKey(), e.getValue(), positions.get(e.getValue().getItemId())));
        }
        int outside = plan.pairsOutsideCatalogue();
        List<Live> all = List.copyOf(live);
        for (int turn = 1; turn <= settings.turns() && !live.isEmpty(); turn++) {
            if (turn > 1) {
                seekersSpeak(live, seeker, turn);
                live.removeIf(e -> e.invalidReason != null);
            }
            List<DialogueContext> now = live.stream().map(Live::now).toList();
            float[][] scores = ranker.score(now);
            List<Live> next = new ArrayList<>();
            for (int i = 0; i < live.size(); i++) {
                Live e = live.get(i);
                int[] top = e.record(now.get(i), scores[i], positions, catalogue, turn);
                if (e.rank > 1 && turn < settings.turns()) {
                    e.recommenderSpeaks(catalogue.get(top[0]), items);
                    next.add(e);
                }
            }
            live = next;
        }
        List<SimulationEpisode> episodes = new ArrayList<>();
        for (Live e : all) {
            episodes.add(e.episode(simulationId, settings, seeker, nowMs));
        }
        return new Result(simulationId, episodes, outside);
    }

    /**
     * Every live episode's seeker speaks, {@link SeekerSimulator#parallelism} at a time. Each reply depends on
     * its own episode only, so the outcome is the same in any order.
     */
    private static void seekersSpeak(List<Live> live, SeekerSimulator seeker, int turn) {
        int threads = Math.min(seeker.parallelism(), live.size());
        if (threads <= 1) {
            live.forEach(e -> e.seekerSpeaks(seeker, turn));
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> replies = new ArrayList<>();
            for (Live e : live) {
                replies.add(pool.submit(() -> e.seekerSpeaks(seeker, turn)));
            }
            for (Future<?> f : replies) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r
                    : new IllegalStateException("The seeker failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while the seekers were speaking", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** An episode under way. */
    private static final class Live {
        final DialogueContext context;
        final Item target;
        final int targetPosition;
        final List<Turn> dialogue;
        final List<SimulatedTurn> turns = new ArrayList<>();
        final Map<String, Integer> successTurns = new LinkedHashMap<>();
        SimulatedTurn.Builder pending;
        String invalidReason;
        int rank = Integer.MAX_VALUE;

        Live(DialogueContext context, Item target, int targetPosition) {
            this.context = context;
            this.target = target;
            this.targetPosition = targetPosition;
            this.dialogue = new ArrayList<>(context.history());
            this.pending = SimulatedTurn.newBuilder().setTurn(1).setSeekerText(null).setRevealed("context");
        }

        String episodeId() {
            return context.contextId() + "|" + target.getItemId();
        }

        DialogueContext now() {
            return DialogueContexts.current(context.dialogueId(), context.dataset(), dialogue);
        }

        void seekerSpeaks(SeekerSimulator seeker, int turn) {
            SeekerSimulator.Reply reply = seeker.reply(new SeekerSimulator.Request(episodeId(), target,
                    List.copyOf(dialogue), turn));
            if (!reply.valid()) {
                invalidReason = "turn " + turn + ": " + reply.invalidReason();
                return;
            }
            dialogue.add(Turn.newBuilder().setRole(Role.SEEKER).setText(reply.text()).setMentionedItemIds(List.of())
                    .build());
            pending = SimulatedTurn.newBuilder().setTurn(turn).setSeekerText(reply.text()).setRevealed(reply.revealed());
        }

        /** Ranks the target after this turn; returns the positions of the best items, best first. */
        int[] record(DialogueContext now, float[] row, Map<String, Integer> positions, List<String> catalogue,
                int turn) {
            Set<String> mentioned = now.mentionedBefore();
            int[] excluded = mentioned.stream().filter(positions::containsKey).mapToInt(positions::get).toArray();
            // the same rank, ties and exclusions as the offline evaluation
            int[] rank0 = PairRanks.compute(new float[][] {row},
                    List.of(new EvalContext(new float[0], new int[] {targetPosition}, excluded)), Protocol.STRICT);
            rank = rank0[0] + 1;
            for (int k : KS) {
                if (rank <= k) {
                    successTurns.putIfAbsent(String.valueOf(k), turn);
                }
            }
            int[] top = best(row, excluded, TOP_KEPT);
            turns.add(pending.setTargetRank(rank)
                    .setTopItemIds(Arrays.stream(top).mapToObj(catalogue::get).toList())
                    .setRecommenderText(null).setShownItemId(null).build());
            return top;
        }

        void recommenderSpeaks(String itemId, Map<String, Item> items) {
            Item shown = items.get(itemId);
            String name = shown == null ? itemId : shown.getTitle();
            String text = "How about " + name + "?";
            dialogue.add(Turn.newBuilder().setRole(Role.RECOMMENDER).setText(text).setMentionedItemIds(List.of(itemId))
                    .build());
            SimulatedTurn last = turns.get(turns.size() - 1);
            last.setRecommenderText(text);
            last.setShownItemId(itemId);
        }

        SimulationEpisode episode(String simulationId, Settings settings, SeekerSimulator seeker, long nowMs) {
            return SimulationEpisode.newBuilder()
                    .setSimulationId(simulationId)
                    .setCheckpointId(settings.checkpointId())
                    .setDataset(settings.dataset())
                    .setSimulator(seeker.name())
                    .setSimulatorVersion(seeker.version())
                    .setContextId(context.contextId())
                    .setTargetItemId(target.getItemId())
                    .setMaxTurns(settings.turns())
                    .setTurns(List.copyOf(turns))
                    .setSuccessTurns(successTurns)
                    .setValid(invalidReason == null)
                    .setInvalidReason(invalidReason)
                    .setSimulatedAtMs(nowMs)
                    .build();
        }
    }

    /** Positions of the n best items not excluded, best first; ties go to the lower position. */
    static int[] best(float[] row, int[] excluded, int n) {
        boolean[] out = new boolean[row.length];
        for (int e : excluded) {
            out[e] = true;
        }
        return IntStream.range(0, row.length).filter(i -> !out[i]).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -row[i]).thenComparingInt(i -> i))
                .limit(n).mapToInt(Integer::intValue).toArray();
    }
}
