package org.crsaug.scorer;

import org.crsaug.model.llm.JudgeUnavailableException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.crsaug.platform.deadletter.DeadLetters;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Item;
import org.crsaug.schema.Judgement;
import org.crsaug.schema.Label;
import org.crsaug.schema.ScoredPair;

/**
 * Judges one context's candidates and emits every score plus the context's augmented labels (scores
 * strictly above the threshold). Both outputs leave in the same transaction as the input offset.
 */
final class JudgeProcessor implements Processor<String, Candidates, String, SpecificRecord> {

    static final String TO_SCORED_PAIRS = "scored-pairs-sink";
    static final String TO_LABELS = "augmented-labels-sink";
    static final String TO_DEAD_LETTERS = "dead-letters-sink";
    static final String TO_JUDGEMENTS = "judgements-sink";
    static final String STAGE = "scorer";

    private final RelevanceJudge judge;
    private final float threshold;
    private final JudgeMeters meters;
    private final JudgementJournal journal;
    private final Serializer<Candidates> wire;
    /** Cache keys the journal wrote during the current record; the judge's threads add to it. */
    private final Set<String> journaled = ConcurrentHashMap.newKeySet();
    private ProcessorContext<String, SpecificRecord> context;
    private JudgeInputs inputs;

    /** @param wire the candidates topic's serializer: a dead letter keeps the candidates as their record's bytes */
    JudgeProcessor(RelevanceJudge judge, float threshold, JudgementJournal journal, Serializer<Candidates> wire) {
        this.wire = wire;
        this.judge = judge;
        this.threshold = threshold;
        this.meters = JudgeMeters.of(judge.id());
        this.journal = journal;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        KeyValueStore<String, Item> items = context.getStateStore(ScorerTopology.ITEM_STORE);
        KeyValueStore<String, Judgement> cache = context.getStateStore(ScorerTopology.JUDGEMENT_STORE);
        this.inputs = JudgeInputs.of(items::get, cache::get, paid -> {
            if (journal.isEnabled() && journal.record(paid)) {
                paid.forEach(j -> journaled.add(j.getCacheKey()));
            }
        });
    }

    @Override
    public void process(Record<String, Candidates> input) {
        Candidates candidates = input.value();
        if (candidates == null) {
            return;
        }
        journaled.clear();
        List<ScoredPair> scores;
        Verdict verdict;
        long started = System.nanoTime();
        try {
            try (org.crsaug.platform.metrics.StageMeters.Span span = org.crsaug.platform.metrics.StageMeters.begin(
                    org.crsaug.platform.metrics.StageMeters.JUDGING)) {
                verdict = judge.judge(candidates, inputs);
                span.record();
            }
            meters.latency().record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            scores = validated(candidates, verdict.scores());
        } catch (JudgeUnavailableException e) {
            // not this record's fault: stop without committing so a restart retries it
            throw e;
        } catch (RuntimeException e) {
            context.forward(input.withValue(DeadLetters.fromProcessing(context.recordMetadata(),
                    Topics.CANDIDATES.baseName(), STAGE, e, input.key(), candidates, wire)), TO_DEAD_LETTERS);
            meters.deadLettered().increment();
            return;
        }
        meters.count(scores, verdict.newJudgements().size());
        // outputs carry the time judging finished, not the candidates': GET /api/dialogues/{id} shows when
        // scoring finished and the dashboard counts labels per minute from these timestamps
        Record<String, Candidates> record = input.withTimestamp(System.currentTimeMillis());
        for (Judgement j : verdict.newJudgements()) {
            if (journaled.contains(j.getCacheKey())) {
                continue;
            }
            context.forward(record.withKey(j.getCacheKey()).withValue(j), TO_JUDGEMENTS);
        }
        // each label carries its provenance, so an export pinned to this record needs no newer one
        java.util.Map<String, String> sources = new java.util.HashMap<>();
        candidates.getItems().forEach(c -> sources.put(c.getItemId(), c.getSource()));
        List<Label> labels = new ArrayList<>();
        for (ScoredPair pair : scores) {
            context.forward(record.withKey(pair.getContextId() + "|" + pair.getItemId()).withValue(pair),
                    TO_SCORED_PAIRS);
            if (pair.getScore() > threshold) {
                labels.add(Label.newBuilder().setItemId(pair.getItemId()).setScore(pair.getScore())
                        .setPromptVersion(pair.getPromptVersion()).setSource(sources.get(pair.getItemId())).build());
            }
        }
        context.forward(record.withKey(candidates.getContextId()).withValue(AugmentedLabels.newBuilder()
                .setContextId(candidates.getContextId())
                .setDialogueId(candidates.getDialogueId())
                .setLabels(labels)
                .setThreshold(threshold)
                .setJudgeId(judge.id())
                .setJudgeVersion(judge.version())
                .setCandidateCount(candidates.getItems().size())
                .setEncoderId(candidates.getEncoderId())
                .build()), TO_LABELS);
    }

    /** A judge may only score the candidates it was shown, each once, within 0..4. */
    private static List<ScoredPair> validated(Candidates candidates, List<ScoredPair> scores) {
        Set<String> allowed = new HashSet<>();
        for (Candidate c : candidates.getItems()) {
            allowed.add(c.getItemId());
        }
        Set<String> seen = new HashSet<>();
        if (scores.size() != allowed.size()) {
            throw new IllegalStateException("Judge scored " + scores.size() + " of the " + allowed.size()
                    + " candidates of " + candidates.getContextId());
        }
        for (ScoredPair p : scores) {
            if (!allowed.contains(p.getItemId()) || !seen.add(p.getItemId())) {
                throw new IllegalStateException("Judge returned a score for " + p.getItemId()
                        + ", which is not a candidate of " + candidates.getContextId() + " or was scored twice");
            }
            if (!(p.getScore() >= 0f && p.getScore() <= 4f)) {
                throw new IllegalStateException("Judge score out of range 0..4: " + p.getScore());
            }
        }
        return scores;
    }
}
