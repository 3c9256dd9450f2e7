package org.crsaug.serve;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * only the {@code maxDialogues} most recently updated or read dialogues are kept, because the topics are
 * not compacted and a continuous pipeline would otherwise grow the view without end; a user looking up
 * the dialogue they just sent is always among them. Records of one context may arrive in any order across
 * the three topics; each fills in its part, and a later record for the same key replaces the earlier one
 * (re-retrieval, re-judging), so the view stays right while records keep arriving.
 */
public final class DialogueView implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DialogueView.class);

    /** Dialogues kept: ample for the newest contexts of a running pipeline, a few tens of MB at most. */
    public static final int DEFAULT_MAX_DIALOGUES = 10_000;
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
    /** Dialogue id to its contexts by context id; access order, so the eldest is the least recently used. */
    private final LinkedHashMap<String, Map<String, ContextState>> byDialogue;
    /** Labels published per 10-second bucket (bucket start in ms), for the last {@link #LABEL_HISTORY}. */
    private final TreeMap<Long, Long> labelsPerBucket = new TreeMap<>();

    public DialogueView(Platform platform, String clientId, int maxDialogues) {
        if (maxDialogues < 1) {
            throw new IllegalArgumentException("maxDialogues must be at least 1, got " + maxDialogues);
        }
        this.maxDialogues = maxDialogues;
        this.byDialogue = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<String, ContextState>> eldest) {
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
            titles.put(r.key(), r.value().getTitle());
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
        s.pairs.put(p.getItemId(), new Pair(p.getScore(), p.getJudgeId()));
        s.scoredAtMs = Math.max(s.scoredAtMs, r.timestamp());
    }

    private synchronized void onLabels(ConsumerRecord<String, AugmentedLabels> r) {
        AugmentedLabels l = r.value();
        if (l == null) {
            return;
        }
        ContextState s = context(l.getDialogueId(), l.getContextId());
        s.labels = List.copyOf(l.getLabels());
        s.labelThreshold = l.getThreshold();
        s.labelJudge = l.getJudgeId();
        s.labelledAtMs = r.timestamp();
        long bucket = r.timestamp() - Math.floorMod(r.timestamp(), BUCKET_MS);
        if (bucket >= System.currentTimeMillis() - LABEL_HISTORY.toMillis()) {
            labelsPerBucket.merge(bucket, (long) l.getLabels().size(), Long::sum);
        }
        trimLabelHistory();
    }

    private ContextState context(String dialogueId, String contextId) {
        return byDialogue.computeIfAbsent(dialogueId, d -> new HashMap<>())
                .computeIfAbsent(contextId, c -> new ContextState());
    }

    private void trimLabelHistory() {
        long oldest = System.currentTimeMillis() - LABEL_HISTORY.toMillis();
        while (!labelsPerBucket.isEmpty() && labelsPerBucket.firstKey() < oldest - BUCKET_MS) {
            labelsPerBucket.pollFirstEntry();
        }
    }

    /** The dialogue's contexts in turn order, or empty when the pipeline has produced nothing for it (here). */
    public synchronized Optional<DialogueReport> dialogue(String dialogueId) {
        Map<String, ContextState> contexts = byDialogue.get(dialogueId);
        if (contexts == null) {
            return Optional.empty();
        }
        List<ContextReport> out = new ArrayList<>();
        contexts.forEach((id, s) -> out.add(s.report(id, titles)));
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

    private record Pair(float score, String judge) {
    }

    /** One context's state; only touched under the view's lock. */
    private static final class ContextState {
        Integer candidateCount;
        long retrievedAtMs = -1;
        final Map<String, Pair> pairs = new HashMap<>();
        long scoredAtMs = -1;
        List<Label> labels;
        Float labelThreshold;
        String labelJudge;
        long labelledAtMs = -1;

        ContextReport report(String contextId, Map<String, String> titles) {
            List<ScoredItem> scored = new ArrayList<>();
            pairs.forEach((item, p) -> scored.add(new ScoredItem(item, titles.get(item), p.score(), p.judge())));
            scored.sort(Comparator.comparingDouble(ScoredItem::score).reversed().thenComparing(ScoredItem::itemId));
            List<LabelItem> labelled = null;
            if (labels != null) {
                labelled = new ArrayList<>();
                for (Label l : labels) {
                    labelled.add(new LabelItem(l.getItemId(), titles.get(l.getItemId()), l.getScore()));
                }
            }
            return new ContextReport(contextId, turnIndex(contextId), candidateCount, scored, labelled,
                    labelThreshold, labelJudge, new StageTimes(time(retrievedAtMs), time(scoredAtMs),
                            time(labelledAtMs)));
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
