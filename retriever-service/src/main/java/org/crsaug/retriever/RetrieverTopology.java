package org.crsaug.retriever;

import org.apache.kafka.streams.Topology;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.streams.TopologyTopics;
import org.crsaug.platform.topic.Topics;

/** dialogues -> (context embeddings, candidates, dead letters). Built here so tests run the same graph. */
public final class RetrieverTopology {

    private static final String SOURCE = "dialogues-source";
    private static final String PROCESSOR = "retrieve";

    private RetrieverTopology() {
    }

    public static Topology build(Platform platform, RetrieverParts parts) {
        Topology t = new Topology();
        TopologyTopics.source(t, platform, SOURCE, Topics.DIALOGUES);
        t.addProcessor(PROCESSOR, () -> new ContextRetrievalProcessor(parts,
                platform.valueSerde(Topics.DIALOGUES).serializer()), SOURCE);
        TopologyTopics.sink(t, platform, ContextRetrievalProcessor.TO_EMBEDDINGS, Topics.EMBEDDINGS, PROCESSOR);
        TopologyTopics.sink(t, platform, ContextRetrievalProcessor.TO_CANDIDATES, Topics.CANDIDATES, PROCESSOR);
        TopologyTopics.sink(t, platform, ContextRetrievalProcessor.TO_DEAD_LETTERS, Topics.DEAD_LETTERS, PROCESSOR);
        return t;
    }
}
