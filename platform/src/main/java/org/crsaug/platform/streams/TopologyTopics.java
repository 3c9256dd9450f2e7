package org.crsaug.platform.streams;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.TopicSpec;

/** Adds sources and sinks for registry topics, with their serdes, to a Processor-API topology. */
public final class TopologyTopics {

    private TopologyTopics() {
    }

    public static <V extends SpecificRecord> void source(Topology t, Platform platform, String name,
            TopicSpec<V> spec) {
        t.addSource(name, Serdes.String().deserializer(), platform.valueSerde(spec).deserializer(),
                platform.config().topic(spec));
    }

    /** A sink that accepts any record type from its parents; the spec's serde checks the real type. */
    @SuppressWarnings("unchecked")
    public static <V extends SpecificRecord> void sink(Topology t, Platform platform, String name, TopicSpec<V> spec,
            String... parents) {
        Serializer<SpecificRecord> serializer =
                (Serializer<SpecificRecord>) (Serializer<?>) platform.valueSerde(spec).serializer();
        t.addSink(name, platform.config().topic(spec), Serdes.String().serializer(), serializer, parents);
    }
}
