package org.crsaug.scorer;

import org.apache.kafka.streams.Topology;
import org.crsaug.common.platform.Platform;
import org.crsaug.common.streams.TopologyTopics;
import org.crsaug.common.topic.Topics;

/** candidates -> (scored pairs, augmented labels, dead letters). */
public final class ScorerTopology {

    private static final String SOURCE = "candidates-source";
    private static final String PROCESSOR = "judge";

    private ScorerTopology() {
    }

    public static Topology build(Platform platform, RelevanceJudge judge, float threshold) {
        Topology t = new Topology();
        TopologyTopics.source(t, platform, SOURCE, Topics.CANDIDATES);
        t.addProcessor(PROCESSOR, () -> new JudgeProcessor(judge, threshold), SOURCE);
        TopologyTopics.sink(t, platform, JudgeProcessor.TO_SCORED_PAIRS, Topics.SCORED_PAIRS, PROCESSOR);
        TopologyTopics.sink(t, platform, JudgeProcessor.TO_LABELS, Topics.AUGMENTED_LABELS, PROCESSOR);
        TopologyTopics.sink(t, platform, JudgeProcessor.TO_DEAD_LETTERS, Topics.DEAD_LETTERS, PROCESSOR);
        return t;
    }
}
