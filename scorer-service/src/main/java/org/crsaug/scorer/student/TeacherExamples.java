package org.crsaug.scorer.student;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.schema.ItemFeedback;
import org.crsaug.schema.Judgement;

/**
 * Turns a teacher's judgements into (features, target) examples for the student.
 *
 * <p>Human feedback rule (ReDial questionnaires): for each context, every item the recommender
 * names in that turn for the first time is a suggestion made for exactly that context. If the
 * seeker's own questionnaire says the seeker liked it, the target is {@value #LIKED}; if it says
 * not liked, {@value #NOT_LIKED} (it was still a plausible suggestion, so above an unrelated item);
 * when the seeker did not answer, the recommender's answer about the seeker is used; "did not say"
 * in both is skipped. For each context with at least one such judgement, {@code negatives} items
 * drawn at random from the same dataset and never mentioned in the dialogue get {@value #UNRELATED}:
 * without them the student would only ever see suggestions and could not tell a plausible candidate
 * from an unrelated one. Dialogues of the {@code test} split form the held-out set.
 */
public final class TeacherExamples {

    public static final float LIKED = 4f;
    public static final float NOT_LIKED = 1f;
    public static final float UNRELATED = 0f;
    static final String HELD_OUT_SPLIT = "test";

    /** One example; {@code liked} is null for judgements that are not a human liked/not-liked answer. */
    public record Example(String contextId, String itemId, float target, Boolean liked, float[] features) {
    }

    /** Examples to learn from and examples to report on. */
    public record Split(List<Example> train, List<Example> heldOut) {
        public int size() {
            return train.size() + heldOut.size();
        }
    }

    private TeacherExamples() {
    }

    /** Feedback counts regardless of vectors, so callers can say why nothing could be trained. */
    public static int feedbackAnswers(Collection<Dialogue> dialogues) {
        int n = 0;
        for (Dialogue d : dialogues) {
            n += d.getFeedback().size();
        }
        return n;
    }

    public static Split fromHumanFeedback(FeatureSource source, String encoderId, int negatives, long seed) {
        List<Dialogue> dialogues = new ArrayList<>(source.dialogues());
        dialogues.sort(java.util.Comparator.comparing(Dialogue::getDialogueId));
        Map<String, List<String>> itemsByDataset = new HashMap<>();
        for (Item i : source.items()) {
            itemsByDataset.computeIfAbsent(i.getDataset(), k -> new ArrayList<>()).add(i.getItemId());
        }
        itemsByDataset.values().forEach(l -> l.sort(null));
        List<Example> train = new ArrayList<>();
        List<Example> heldOut = new ArrayList<>();
        for (Dialogue d : dialogues) {
            if (d.getFeedback().isEmpty()) {
                continue;
            }
            Map<String, Boolean> liked = likedBySeeker(d.getFeedback());
            Set<String> mentionedAnywhere = new java.util.HashSet<>();
            d.getTurns().forEach(t -> mentionedAnywhere.addAll(t.getMentionedItemIds()));
            List<Example> target = HELD_OUT_SPLIT.equals(d.getSplit()) ? heldOut : train;
            for (DialogueContext c : DialogueContexts.derive(d)) {
                int judged = 0;
                for (String item : c.goldItemIds()) {
                    Boolean l = liked.get(item);
                    if (l == null) {
                        continue;
                    }
                    float[] f = source.features(encoderId, c.contextId(), item, c.mentionedInOrder());
                    if (f != null) {
                        target.add(new Example(c.contextId(), item, l ? LIKED : NOT_LIKED, l, f));
                        judged++;
                    }
                }
                List<String> pool = itemsByDataset.getOrDefault(d.getDataset(), List.of());
                if (judged == 0 || pool.isEmpty()) {
                    continue;
                }
                Random rng = new Random(seed * 31 + c.contextId().hashCode());
                for (int n = 0, tries = 0; n < negatives && tries < negatives * 10; tries++) {
                    String item = pool.get(rng.nextInt(pool.size()));
                    if (mentionedAnywhere.contains(item)) {
                        continue;
                    }
                    float[] f = source.features(encoderId, c.contextId(), item, c.mentionedInOrder());
                    if (f != null) {
                        target.add(new Example(c.contextId(), item, UNRELATED, null, f));
                        n++;
                    }
                }
            }
        }
        return new Split(train, heldOut);
    }

    /** The seeker's own answer wins; the recommender's answer about the seeker fills gaps. */
    static Map<String, Boolean> likedBySeeker(List<ItemFeedback> feedback) {
        Map<String, Boolean> fromSeeker = new TreeMap<>();
        Map<String, Boolean> fromRecommender = new TreeMap<>();
        for (ItemFeedback f : feedback) {
            if (f.getLiked() != null) {
                ("seeker".equals(f.getRespondent()) ? fromSeeker : fromRecommender).put(f.getItemId(), f.getLiked());
            }
        }
        Map<String, Boolean> out = new TreeMap<>(fromRecommender);
        out.putAll(fromSeeker);
        return out;
    }

    /**
     * LLM judgements from the cache topic; one context in ten (by a hash of its id) is held out so the
     * reported error is on contexts the student never saw.
     */
    public static Split fromJudgements(Collection<Judgement> judgements, FeatureSource source, String encoderId) {
        List<Judgement> sorted = new ArrayList<>(judgements);
        sorted.sort(java.util.Comparator.comparing(Judgement::getCacheKey));
        List<Example> train = new ArrayList<>();
        List<Example> heldOut = new ArrayList<>();
        for (Judgement j : sorted) {
            var context = source.context(j.getContextId());
            if (context.isEmpty()) {
                continue;
            }
            float[] f = source.features(encoderId, j.getContextId(), j.getItemId(), context.get().mentionedInOrder());
            if (f == null) {
                continue;
            }
            Example e = new Example(j.getContextId(), j.getItemId(), j.getScore(), null, f);
            (Math.floorMod(j.getContextId().hashCode(), 10) == 0 ? heldOut : train).add(e);
        }
        return new Split(train, heldOut);
    }

    /** Area under the ROC curve of liked (positive) vs not liked, from the student's scores. */
    public static double aucLikedVsNotLiked(List<Example> examples, float[] scores) {
        return auc(examples, scores, Example::liked);
    }

    /**
     * Area under the ROC curve of the items the recommender named (liked or not) against the unrelated items
     * sampled at score 0: how well the student tells a plausible suggestion from a random film, which is what
     * S@k asks of it. NaN where there are no sampled items (an LLM teacher's examples).
     */
    public static double aucNamedVsUnrelated(List<Example> examples, float[] scores) {
        return auc(examples, scores, e -> e.liked() != null);
    }

    /** Rank-sum AUC of the examples {@code positive} calls true against those it calls false; null skips one. */
    private static double auc(List<Example> examples, float[] scores, Function<Example, Boolean> positive) {
        double positives = 0;
        double negatives = 0;
        List<double[]> pairs = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            Boolean l = positive.apply(examples.get(i));
            if (l != null) {
                pairs.add(new double[] {scores[i], l ? 1 : 0});
                if (l) {
                    positives++;
                } else {
                    negatives++;
                }
            }
        }
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        pairs.sort(java.util.Comparator.comparingDouble(p -> p[0]));
        // rank-sum with average ranks for ties
        double rankSum = 0;
        int i = 0;
        while (i < pairs.size()) {
            int j = i;
            while (j + 1 < pairs.size() && pairs.get(j + 1)[0] == pairs.get(i)[0]) {
                j++;
            }
            double avgRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (pairs.get(k)[1] == 1) {
                    rankSum += avgRank;
                }
            }
            i = j + 1;
        }
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }
}
