package org.crsaug.serve;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Item;
import org.crsaug.schema.Label;
import org.crsaug.schema.ScoredPair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the pipeline made of each dialogue, per context: its candidates (count), the judge's scores and
 * the augmented labels, with the time each stage finished (the records' timestamps, which the retriever
 * and scorer set when they produce them). Built by following the candidates, scored-pairs and
 * augmented-labels topics (read_committed, so aborted exactly-once writes never show) plus the items
 * topic for titles.
 *
 * <p>Indexed by dialogue id (the candidates and labels carry it; a scored pair's key is
 * {@code <contextId>|<itemId>} and its dialogue is {@link DialogueContexts#dialogueIdOf}). Memory is bounded:
 * only the {@code maxDialogues} most recently updated or read dialogues are kept
 * ({@code serve.view.max.dialogues}), because the topics are not compacted and a continuous pipeline would
 * otherwise grow the view without end; a user looking up the dialogue they just sent is always among them.
 * Each context keeps its pairs in parallel arrays over one shared copy of each item and judge id: kept as a
 * map of records, a context's fifty pairs took about 10 KiB, which a 30-minute soak showed as the largest
 * share of the heap's growth. Records of one context may arrive in any order across
 * the three topics; each fills in its part, and a later record for the same key replaces the earlier one
 * (re-retrieval, re-judging), so the view stays right while records keep arriving.
 */
public final class DialogueView implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DialogueView.class);

    /** The setting bounding the dialogues kept. */
    public static final String MAX_DIALOGUES_KEY = "serve.view.max.dialogues";
    /** Label counts are kept per bucket for this long, for the labels-per-minute rate and its history. */
    static final Duration LABEL_HISTORY = Duration.ofMinutes(30);
    private static final long BUCKET_MS = 10_000;

    /** One judged candidate. {@code title} is null while the item is unknown to this server. */
    public record ScoredItem(String itemId, String title, float score, String judge) {
    }

    /** One augmented label: a candidate the judge scored above the threshold. */
    public record LabelItem(String itemId, String title, float score) {
    }

    /** When each stage finished for a context (ISO-8601 instants), null for a stage not reached yet. */
    public record StageTimes(String retrieval, String scoring, String labelling) {
    }

    /**
     * One context: candidates retrieved (null before retrieval), scored pairs best first, labels (null
     * before labelling, possibly empty: no candidate passed the threshold).
     */
    public record ContextReport(String contextId, int turnIndex, Integer candidateCount,
                                List<ScoredItem> scoredPairs, List<LabelItem> labels, Float labelThreshold,
                                String labelJudge, StageTimes finished) {
    }

    public record DialogueReport(String dialogueId, List<ContextReport> contexts) {
    }

    private final int maxDialogues;
    private final TopicFollower<Item> items;
    private final TopicFollower<Candidates> candidates;
    private final TopicFollower<ScoredPair> scoredPairs;
    private final TopicFollower<AugmentedLabels> labels;
    /** Item id to title, for the whole catalogue (a compacted topic; bounded by the catalogue). */
    private final Map<String, String> titles = new HashMap<>();
    /** One instance of each item and judge id seen, shared by every context that names it. */
    private final Map<String, String> ids = new HashMap<>();
    /** Dialogue id to its contexts; access order, so the eldest is the least recently used. */
    private final LinkedHashMap<String, List<ContextState>> byDialogue;
    /** Labels published per 10-second bucket (bucket start in ms), for the last {@link #LABEL_HISTORY}. */
    private final TreeMap<Long, Long> labelsPerBucket = new TreeMap<>();

    public DialogueView(Platform platform, String clientId, int maxDialogues) {
        if (maxDialogues < 1) {
            throw new IllegalArgumentException("maxDialogues must be at least 1, got " + maxDialogues);
        }
        this.maxDialogues = maxDialogues;
        this.byDialogue = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, List<ContextState>> eldest) {
                return size() > DialogueView.this.maxDialogues;
            }
        };
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            items = opened(opened, new TopicFollower<>(platform, Topics.ITEMS, clientId + "-items"));
            candidates = opened(opened, new TopicFollower<>(platform, Topics.CANDIDATES, clientId + "-candidates"));
            scoredPairs = opened(opened, new TopicFollower<>(platform, Topics.SCORED_PAIRS, clientId + "-scores"));
            labels = opened(opened, new TopicFollower<>(platform, Topics.AUGMENTED_LABELS, clientId + "-labels"));
        } catch (RuntimeException e) {
            // a missing topic fails the last follower: the ones already open must not leak their consumers
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static <T extends AutoCloseable> T opened(List<AutoCloseable> opened, T follower) {
        opened.add(follower);
        return follower;
    }

    /** Reads every followed topic up to its current end. Only the follower thread calls it. */
    public void catchUp(Duration timeout) {
        items.catchUp(this::onItem, timeout);
        candidates.catchUp(this::onCandidates, timeout);
        scoredPairs.catchUp(this::onScoredPair, timeout);
        labels.catchUp(this::onLabels, timeout);
    }

    private synchronized void onItem(ConsumerRecord<String, Item> r) {
        if (r.value() == null) {
            titles.remove(r.key());
        } else {
            titles.put(id(r.key()), r.value().getTitle());
        }
    }

    private synchronized void onCandidates(ConsumerRecord<String, Candidates> r) {
        Candidates c = r.value();
        if (c == null) {
            return; // not a compacted topic: nobody deletes candidates
        }
        ContextState s = context(c.getDialogueId(), c.getContextId());
        s.candidateCount = c.getItems().size();
        s.retrievedAtMs = r.timestamp();
    }

    private synchronized void onScoredPair(ConsumerRecord<String, ScoredPair> r) {
        ScoredPair p = r.value();
        if (p == null) {
            return;
        }
        String dialogueId;
        try {
            dialogueId = DialogueContexts.dialogueIdOf(p.getContextId());
        } catch (IllegalArgumentException e) {
            // not written by the scorer (whose context ids all come from DialogueContexts): nothing to file it under
            LOG.warn("Skipping scored pair {}@{}: {}", r.partition(), r.offset(), e.getMessage());
            return;
        }
        ContextState s = context(dialogueId, p.getContextId());
        s.putPair(id(p.getItemId()), p.getScore(), id(p.getJudgeId()));
        s.scoredAtMs = Math.max(s.scoredAtMs, r.timestamp());
    }

    private synchronized void onLabels(ConsumerRecord<String, AugmentedLabels> r) {
        AugmentedLabels l = r.value();
        if (l == null) {
            return;
        }
        ContextState s = context(l.getDialogueId(), l.getContextId());
        int n = l.getLabels().size();
        s.labelItems = new String[n];
        s.labelScores = new float[n];
        for (int i = 0; i < n; i++) {
            Label label = l.getLabels().get(i);
            s.labelItems[i] = id(label.getItemId());
            s.labelScores[i] = label.getScore();
        }
        s.labelThreshold = l.getThreshold();
        s.labelJudge = id(l.getJudgeId());
        s.labelledAtMs = r.timestamp();
        long bucket = r.timestamp() - Math.floorMod(r.timestamp(), BUCKET_MS);
        if (bucket >= System.currentTimeMillis() - LABEL_HISTORY.toMillis()) {
            labelsPerBucket.merge(bucket, (long) l.getLabels().size(), Long::sum);
        }
        trimLabelHistory();
    }

    private ContextState context(String dialogueId, String contextId) {
        List<ContextState> contexts = byDialogue.computeIfAbsent(dialogueId, d -> new ArrayList<>(2));
        for (ContextState s : contexts) {
            if (s.contextId.equals(contextId)) {
                return s;
            }
        }
        ContextState s = new ContextState(contextId);
        contexts.add(s);
        return s;
    }

    /** The view's one instance of an id (catalogue and judge ids repeat in every context). */
    private String id(String id) {
        return id == null ? null : ids.computeIfAbsent(id, k -> k);
    }

    private void trimLabelHistory() {
        long oldest = System.currentTimeMillis() - LABEL_HISTORY.toMillis();
        while (!labelsPerBucket.isEmpty() && labelsPerBucket.firstKey() < oldest - BUCKET_MS) {
            labelsPerBucket.pollFirstEntry();
        }
    }

    /** The dialogue's contexts in turn order, or empty when the pipeline has produced nothing for it (here). */
    public synchronized Optional<DialogueReport> dialogue(String dialogueId) {
        List<ContextState> contexts = byDialogue.get(dialogueId);
        if (contexts == null) {
            return Optional.empty();
        }
        List<ContextReport> out = new ArrayList<>();
        contexts.forEach(s -> out.add(s.report(titles)));
        out.sort(Comparator.comparingInt(ContextReport::turnIndex));
        return Optional.of(new DialogueReport(dialogueId, out));
    }

    /** Labels published in the last minute (by their records' timestamps, so a restart does not reset it). */
    public synchronized long labelsLastMinute(long nowMs) {
        // whole 10-second buckets, so "the last minute" is exact to a bucket
        return labelsPerBucket.tailMap(nowMs - 60_000, true).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Labels published per minute over the last {@link #LABEL_HISTORY}, oldest minute first (start in ms). */
    public synchronized Map<Long, Long> labelsPerMinute(long nowMs) {
        trimLabelHistory();
        Map<Long, Long> out = new TreeMap<>();
        long first = nowMs - LABEL_HISTORY.toMillis();
        for (long minute = first - Math.floorMod(first, 60_000); minute <= nowMs; minute += 60_000) {
            out.put(minute, 0L);
        }
        labelsPerBucket.forEach((bucket, n) -> out.computeIfPresent(bucket - Math.floorMod(bucket, 60_000L),
                (m, sum) -> sum + n));
        return out;
    }

    public int maxDialogues() {
        return maxDialogues;
    }

    @Override
    public void close() {
        items.close();
        candidates.close();
        scoredPairs.close();
        labels.close();
    }

    /** One context's state; only touched under the view's lock. */
    private static final class ContextState {
        final String contextId;
        int candidateCount = -1;
        long retrievedAtMs = -1;
        /** Scored pairs: item, score and judge at the same index, the first {@code pairCount} used. */
        String[] pairItems = new String[0];
        float[] pairScores = new float[0];
        String[] pairJudges = new String[0];
        int pairCount;
        long scoredAtMs = -1;
        /** Null before labelling. */
        String[] labelItems;
        float[] labelScores;
        float labelThreshold = Float.NaN;
        String labelJudge;
        long labelledAtMs = -1;

        ContextState(String contextId) {
            this.contextId = contextId;
        }

        /** A later score of the same item replaces the earlier one (re-judging). */
        void putPair(String item, float score, String judge) {
            for (int i = 0; i < pairCount; i++) {
                if (pairItems[i].equals(item)) {
                    pairScores[i] = score;
                    pairJudges[i] = judge;
                    return;
                }
            }
            if (pairCount == pairItems.length) {
                // the scorer writes a context's pairs together: grow once to a list's usual length
                int size = Math.max(8, pairCount * 2);
                pairItems = Arrays.copyOf(pairItems, size);
                pairScores = Arrays.copyOf(pairScores, size);
                pairJudges = Arrays.copyOf(pairJudges, size);
            }
            pairItems[pairCount] = item;
            pairScores[pairCount] = score;
            pairJudges[pairCount] = judge;
            pairCount++;
        }

        ContextReport report(Map<String, String> titles) {
            List<ScoredItem> scored = new ArrayList<>(pairCount);
            for (int i = 0; i < pairCount; i++) {
                scored.add(new ScoredItem(pairItems[i], titles.get(pairItems[i]), pairScores[i], pairJudges[i]));
            }
            scored.sort(Comparator.comparingDouble(ScoredItem::score).reversed().thenComparing(ScoredItem::itemId));
            List<LabelItem> labelled = null;
            if (labelItems != null) {
                labelled = new ArrayList<>(labelItems.length);
                for (int i = 0; i < labelItems.length; i++) {
                    labelled.add(new LabelItem(labelItems[i], titles.get(labelItems[i]), labelScores[i]));
                }
            }
            return new ContextReport(contextId, turnIndex(contextId), candidateCount < 0 ? null : candidateCount,
                    scored, labelled, Float.isNaN(labelThreshold) ? null : labelThreshold, labelJudge,
                    new StageTimes(time(retrievedAtMs), time(scoredAtMs), time(labelledAtMs)));
        }

        private static String time(long ms) {
            return ms < 0 ? null : Instant.ofEpochMilli(ms).toString();
        }

        /** The turn a context id names (ids are {@code <dialogueId>#<turn>}, see {@link DialogueContexts}). */
        private static int turnIndex(String contextId) {
            try {
                return Integer.parseInt(contextId.substring(DialogueContexts.dialogueIdOf(contextId).length() + 1));
            } catch (IllegalArgumentException e) { // also NumberFormatException
                return Integer.MAX_VALUE; // not one of ours: listed last rather than failing the whole answer
            }
        }
    }
}
