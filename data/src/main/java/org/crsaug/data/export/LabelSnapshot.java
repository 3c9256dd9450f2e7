package org.crsaug.data.export;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.dataset.Datasets;
import org.crsaug.data.state.PipelineState;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.CheckpointDirectory;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.schema.Label;
import org.crsaug.schema.ScoredPair;

/**
 * The augmented data of one checkpoint's lineage, read from the topics only up to the offsets the checkpoint
 * recorded (as {@code Replay} rebuilds a training set), so an export made later, after new data arrived,
 * holds the same records. Each label's provenance (candidate source, prompt version, encoder) comes from the
 * pinned augmented-labels record itself; only for records written before labels carried it is it looked up in
 * what a checkpoint does not record (the candidates and scored-pairs topics): per pair, the latest record that
 * agrees with it.
 *
 * @param dialogues every dialogue of the dataset in the lineage, in file order (see {@link #fileOrder})
 * @param contexts  every labelled context of those dialogues, in dialogue then turn order
 */
public record LabelSnapshot(Checkpoint checkpoint, String dataset, Map<String, Item> items,
        List<Dialogue> dialogues, List<LabelledContext> contexts) {

    /** A context with its pinned labels and where each label came from. */
    public record LabelledContext(DialogueContext context, AugmentedLabels labels, String encoderId,
            Map<String, String> sourceByItem, Map<String, String> promptVersionByItem) {
    }

    private static final Duration READ_TIMEOUT = Duration.ofMinutes(10);

    /**
     * Reads the lineage of {@code checkpointId}, or of the dataset's newest checkpoint when it is null.
     *
     * @throws ConfigException for an unknown dataset or checkpoint, or a checkpoint of another dataset
     */
    public static LabelSnapshot read(Platform platform, String dataset, String checkpointId) {
        requireKnown(dataset);
        Checkpoint checkpoint = choose(CheckpointDirectory.all(platform), dataset, checkpointId,
                platform.config().topic(Topics.CHECKPOINTS));
        try (PipelineState state = new PipelineState(platform, "crs-export")) {
            state.catchUpTo(checkpoint.getInputRanges(), READ_TIMEOUT);
            Map<String, Item> items = new HashMap<>();
            state.items(dataset).forEach(i -> items.put(i.getItemId(), i));
            List<Dialogue> dialogues = new ArrayList<>(state.dialogues(dataset));
            dialogues.sort(fileOrder());
            Map<String, AugmentedLabels> labels = state.allLabels();
            List<DialogueContext> labelled = new ArrayList<>();
            for (Dialogue d : dialogues) {
                for (DialogueContext c : DialogueContexts.derive(d)) {
                    if (labels.containsKey(c.contextId())) {
                        labelled.add(c);
                    }
                }
            }
            // labels written before they carried their provenance get it from the newest agreeing records
            List<DialogueContext> unpinned = labelled.stream().filter(c -> !pinned(labels.get(c.contextId())))
                    .toList();
            Provenance provenance = unpinned.isEmpty() ? Provenance.NONE
                    : Provenance.read(platform, unpinned, labels, state.encoderId());
            List<LabelledContext> contexts = new ArrayList<>();
            for (DialogueContext c : labelled) {
                AugmentedLabels l = labels.get(c.contextId());
                contexts.add(pinned(l) ? fromRecord(c, l) : new LabelledContext(c, l, provenance.encoder(c.contextId()),
                        provenance.sources(c.contextId()), provenance.promptVersions(l)));
            }
            return new LabelSnapshot(checkpoint, dataset, Map.copyOf(items), List.copyOf(dialogues),
                    List.copyOf(contexts));
        }
    }

    /** The record names its encoder and each label its source and prompt version: written by a current scorer. */
    static boolean pinned(AugmentedLabels l) {
        return !l.getEncoderId().isEmpty();
    }

    /** Provenance from the pinned record alone: nothing written after the checkpoint can change it. */
    private static LabelledContext fromRecord(DialogueContext c, AugmentedLabels l) {
        Map<String, String> sources = new HashMap<>();
        Map<String, String> prompts = new HashMap<>();
        for (Label x : l.getLabels()) {
            sources.put(x.getItemId(), x.getSource());
            prompts.put(x.getItemId(), x.getPromptVersion());
        }
        return new LabelledContext(c, l, l.getEncoderId(), sources, prompts);
    }

    static void requireKnown(String dataset) {
        if (!Datasets.NAMES.contains(dataset)) {
            throw new ConfigException("unknown dataset '" + dataset + "'; --dataset takes one of " + Datasets.NAMES);
        }
    }

    /** The checkpoint asked for, or the newest of the dataset; every refusal names what exists. */
    static Checkpoint choose(List<Checkpoint> all, String dataset, String checkpointId, String topic) {
        if (checkpointId != null) {
            Checkpoint found = all.stream().filter(c -> c.getCheckpointId().equals(checkpointId)).findFirst()
                    .orElseThrow(() -> new ConfigException("no checkpoint '" + checkpointId + "' in topic " + topic
                            + "; crs status and GET /api/checkpoints list them (is --state-dir the one it was"
                            + " trained in?)"));
            if (!found.getDataset().equals(dataset)) {
                throw new ConfigException("checkpoint '" + checkpointId + "' was trained on " + found.getDataset()
                        + ", not " + dataset + "; pass --dataset " + found.getDataset());
            }
            return found;
        }
        return all.stream().filter(c -> c.getDataset().equals(dataset))
                .max(Comparator.comparingLong(Checkpoint::getCreatedAtMs).thenComparing(Checkpoint::getCheckpointId))
                .orElseThrow(() -> new ConfigException("no checkpoint of " + dataset + " in topic " + topic
                        + " yet; the export is pinned to one: train a round first (crs run, or crs up)"));
    }

    /**
     * Dialogues read from a dataset file first, in the order of their lines (so a dataset reader given the
     * exported file numbers them as the original did), then the others (ingested later) by id.
     */
    static Comparator<Dialogue> fileOrder() {
        return Comparator.comparing((Dialogue d) -> sourceLine(d) < 0)
                .thenComparing(d -> d.getSource() == null || sourceLine(d) < 0 ? "" : sourceFile(d))
                .thenComparingLong(LabelSnapshot::sourceLine)
                .thenComparing(Dialogue::getDialogueId);
    }

    private static long sourceLine(Dialogue d) {
        String s = d.getSource();
        int colon = s == null ? -1 : s.lastIndexOf(':');
        if (colon < 0) {
            return -1;
        }
        try {
            return Long.parseLong(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String sourceFile(Dialogue d) {
        return d.getSource().substring(0, d.getSource().lastIndexOf(':'));
    }

    /** The split names present, in the datasets' usual order. */
    public Set<String> splits() {
        Set<String> out = new TreeSet<>(Comparator.comparingInt(LabelSnapshot::splitRank).thenComparing(s -> s));
        dialogues.forEach(d -> out.add(d.getSplit()));
        return out;
    }

    private static int splitRank(String split) {
        int i = List.of("train", "valid", "test").indexOf(split);
        return i < 0 ? 3 : i;
    }

    /** Labels by context id, for the dataset line formats. */
    public Map<String, LabelledContext> byContextId() {
        Map<String, LabelledContext> out = new HashMap<>();
        contexts.forEach(c -> out.put(c.context().contextId(), c));
        return out;
    }

    public String title(String itemId) {
        Item i = items.get(itemId);
        return i == null ? itemId : i.getTitle();
    }

    /**
     * Candidate sources and prompt versions: the latest candidates record of a context holding every one of its
     * labelled items, and the latest scored pair agreeing with the label's judge, version and score.
     */
    private record Provenance(Map<String, Candidates> candidates, Map<String, ScoredPair> pairs,
            String fallbackEncoder) {

        static final Provenance NONE = new Provenance(Map.of(), Map.of(), "");

        static Provenance read(Platform platform, List<DialogueContext> contexts, Map<String, AugmentedLabels> labels,
                String fallbackEncoder) {
            Set<String> wanted = new HashSet<>();
            contexts.forEach(c -> wanted.add(c.contextId()));
            Map<String, Candidates> candidates = new HashMap<>();
            try (TopicFollower<Candidates> f = new TopicFollower<>(platform, Topics.CANDIDATES, "crs-export-candidates")) {
                f.catchUp(r -> {
                    Candidates c = r.value();
                    if (c != null && wanted.contains(c.getContextId()) && holdsAll(c, labels.get(c.getContextId()))) {
                        candidates.put(c.getContextId(), c);
                    }
                }, READ_TIMEOUT);
            }
            Map<String, ScoredPair> pairs = new HashMap<>();
            try (TopicFollower<ScoredPair> f = new TopicFollower<>(platform, Topics.SCORED_PAIRS, "crs-export-pairs")) {
                f.catchUp(r -> {
                    ScoredPair p = r.value();
                    AugmentedLabels l = p == null || !wanted.contains(p.getContextId()) ? null
                            : labels.get(p.getContextId());
                    if (l != null && agrees(p, l)) {
                        pairs.put(p.getContextId() + "|" + p.getItemId(), p);
                    }
                }, READ_TIMEOUT);
            }
            return new Provenance(candidates, pairs, fallbackEncoder == null ? "" : fallbackEncoder);
        }

        private static boolean holdsAll(Candidates c, AugmentedLabels l) {
            Set<String> ids = new HashSet<>();
            c.getItems().forEach(i -> ids.add(i.getItemId()));
            return l.getLabels().stream().allMatch(x -> ids.contains(x.getItemId()));
        }

        private static boolean agrees(ScoredPair p, AugmentedLabels l) {
            if (!p.getJudgeId().equals(l.getJudgeId()) || !p.getJudgeVersion().equals(l.getJudgeVersion())) {
                return false;
            }
            for (Label x : l.getLabels()) {
                if (x.getItemId().equals(p.getItemId()) && x.getScore() == p.getScore()) {
                    return true;
                }
            }
            return false;
        }

        String encoder(String contextId) {
            Candidates c = candidates.get(contextId);
            return c == null ? fallbackEncoder : c.getEncoderId();
        }

        Map<String, String> sources(String contextId) {
            Map<String, String> out = new HashMap<>();
            Candidates c = candidates.get(contextId);
            if (c != null) {
                for (Candidate i : c.getItems()) {
                    out.put(i.getItemId(), i.getSource());
                }
            }
            return out;
        }

        Map<String, String> promptVersions(AugmentedLabels l) {
            Map<String, String> out = new HashMap<>();
            for (Label x : l.getLabels()) {
                ScoredPair p = pairs.get(l.getContextId() + "|" + x.getItemId());
                if (p != null) {
                    out.put(x.getItemId(), p.getPromptVersion());
                }
            }
            return out;
        }
    }
}
