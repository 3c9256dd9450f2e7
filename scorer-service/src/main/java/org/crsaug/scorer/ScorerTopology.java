package org.crsaug.scorer;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.streams.TopologyTopics;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.platform.topic.Topics;

/**
 * candidates -> (scored pairs, augmented labels, new judgements, dead letters). Item descriptions
 * and the judgement cache are global stores: every replica sees all of both whatever partitions it
 * owns, and both are fully restored before the first candidate is processed, so a restart or a
 * replay finds every judgement paid for earlier.
 */
public final class ScorerTopology {

    static final String ITEM_STORE = "scorer-items";
    static final String JUDGEMENT_STORE = "scorer-judgements";
    private static final String SOURCE = "candidates-source";
    private static final String PROCESSOR = "judge";

    private ScorerTopology() {
    }

    /** Judgements travel in each context's transaction; see the journal overload for the service. */
    public static Topology build(Platform platform, RelevanceJudge judge, float threshold) {
        return build(platform, judge, threshold, JudgementJournal.NONE);
    }

    /**
     * With a journal, judgements a judge hands to {@link JudgeInputs#remember} are written by the
     * journal as soon as they are paid for, and the transaction carries only those it could not write.
     */
    public static Topology build(Platform platform, RelevanceJudge judge, float threshold, JudgementJournal journal) {
        Topology t = new Topology();
        globalStore(t, platform, ITEM_STORE, Topics.ITEMS);
        globalStore(t, platform, JUDGEMENT_STORE, Topics.JUDGEMENTS);
        TopologyTopics.source(t, platform, SOURCE, Topics.CANDIDATES);
        t.addProcessor(PROCESSOR, () -> new JudgeProcessor(judge, threshold, journal,
                platform.valueSerde(Topics.CANDIDATES).serializer()), SOURCE);
        TopologyTopics.sink(t, platform, JudgeProcessor.TO_SCORED_PAIRS, Topics.SCORED_PAIRS, PROCESSOR);
        TopologyTopics.sink(t, platform, JudgeProcessor.TO_LABELS, Topics.AUGMENTED_LABELS, PROCESSOR);
        TopologyTopics.sink(t, platform, JudgeProcessor.TO_JUDGEMENTS, Topics.JUDGEMENTS, PROCESSOR);
        TopologyTopics.sink(t, platform, JudgeProcessor.TO_DEAD_LETTERS, Topics.DEAD_LETTERS, PROCESSOR);
        return t;
    }

    // The store holds the topic's own type because Kafka Streams restores global stores by copying
    // the topic's bytes, bypassing the loader.
    private static <V extends SpecificRecord> void globalStore(Topology t, Platform platform, String store,
            TopicSpec<V> spec) {
        t.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(store), Serdes.String(),
                        platform.valueSerde(spec)).withLoggingDisabled(),
                store + "-source", Serdes.String().deserializer(), platform.valueSerde(spec).deserializer(),
                platform.config().topic(spec), store + "-loader", () -> new StoreLoader<V>(store));
    }

    /** Mirrors a compacted topic into its global store; a tombstone removes the key. */
    private static final class StoreLoader<V> implements Processor<String, V, Void, Void> {
        private final String storeName;
        private KeyValueStore<String, V> store;

        StoreLoader(String storeName) {
            this.storeName = storeName;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, V> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value());
            }
        }
    }
}
