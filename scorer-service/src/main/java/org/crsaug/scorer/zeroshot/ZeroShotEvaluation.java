package org.crsaug.scorer.zeroshot;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.crsaug.model.eval.ListRanks;
import org.crsaug.model.eval.PairRanks;
import org.crsaug.model.eval.RecallMetrics;
import org.crsaug.model.recommender.EvalContext;
import org.crsaug.model.training.Catalogue;
import org.crsaug.schema.Item;
import org.crsaug.scorer.llm.CandidateNames;

/**
 * Scores a zero-shot recommender's title lists like the evaluator scores a checkpoint: each title is mapped
 * to a catalogue item with the LLM judge's name matching ({@link CandidateNames}: exact name, then case,
 * punctuation and year-insensitive, an ambiguous title without its year matching nothing), repeats and items
 * the dialogue already mentioned are removed, and Recall@1/5/10 (the method's Table 3) is averaged over
 * (context, gold) pairs under the strict protocol. Every title that could not be used is counted.
 */
public final class ZeroShotEvaluation {

    /** Table 3's cut-offs. */
    public static final int[] KS = {1, 5, 10};

    /**
     * What the replies held. {@code unknown}: titles that match no catalogue item; {@code duplicates}: titles
     * naming an item already listed for that context; {@code mentioned}: items the dialogue already named.
     */
    public record Counts(int contexts, int notJson, int empty, int titles, int unknown, int duplicates,
            int mentioned) {
    }

    /** Recall by cut-off ({@code recall@k}), every pair's rank (aligned with the checkpoint's), and the counts. */
    public record Result(Map<String, Double> recall, int[] ranks, Counts counts) {
    }

    private final Catalogue catalogue;
    private final CandidateNames names = new CandidateNames();

    /** @param items the catalogue's item records, for their titles and years; items without one cannot be named */
    public ZeroShotEvaluation(Catalogue catalogue, Map<String, Item> items) {
        this.catalogue = catalogue;
        for (String id : catalogue.itemIds()) {
            Item item = items.get(id);
            if (item != null) {
                names.add(id, item);
            }
        }
    }

    /** The catalogue position a title names, if exactly one item answers to it. */
    public Optional<Integer> position(String title) {
        return names.match(title).map(id -> catalogue.position(id).getAsInt());
    }

    /**
     * @param replies  one per context, in the order of {@code contexts}
     * @param contexts gold and mentioned items as the evaluator derives them ({@code ExampleSets.evalContexts})
     */
    public Result score(List<TitleListReply.Parsed> replies, List<EvalContext> contexts) {
        if (replies.size() != contexts.size()) {
            throw new IllegalArgumentException(replies.size() + " replies for " + contexts.size() + " contexts");
        }
        int notJson = 0;
        int empty = 0;
        int titles = 0;
        int unknown = 0;
        int duplicates = 0;
        int mentioned = 0;
        List<int[]> lists = new ArrayList<>();
        for (int c = 0; c < contexts.size(); c++) {
            TitleListReply.Parsed reply = replies.get(c);
            if (reply.status() == TitleListReply.Status.NOT_JSON) {
                notJson++;
            } else if (reply.status() == TitleListReply.Status.EMPTY) {
                empty++;
            }
            Set<Integer> excluded = new HashSet<>();
            for (int e : contexts.get(c).excludedItems()) {
                excluded.add(e);
            }
            Set<Integer> listed = new HashSet<>();
            List<Integer> list = new ArrayList<>();
            for (String title : reply.titles()) {
                titles++;
                Optional<Integer> p = position(title);
                if (p.isEmpty()) {
                    unknown++;
                } else if (excluded.contains(p.get())) {
                    mentioned++;
                } else if (!listed.add(p.get())) {
                    duplicates++;
                } else {
                    list.add(p.get());
                }
            }
            lists.add(list.stream().mapToInt(Integer::intValue).toArray());
        }
        int[] ranks = ListRanks.compute(lists, contexts, RecallMetrics.Protocol.STRICT);
        Map<String, Double> recall = new LinkedHashMap<>();
        for (int k : KS) {
            recall.put("recall@" + k, PairRanks.recallAt(ranks, k));
        }
        recall.put("pairs", (double) ranks.length);
        return new Result(recall, ranks, new Counts(contexts.size(), notJson, empty, titles, unknown, duplicates,
                mentioned));
    }
}
