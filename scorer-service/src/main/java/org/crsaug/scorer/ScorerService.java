package org.crsaug.scorer;

import org.crsaug.common.platform.Platform;
import org.crsaug.common.streams.StreamsService;

/**
 * The judging stage. Replicas share the work through the consumer group of its stream, so scaling
 * the costly judge is a matter of starting more processes.
 */
public final class ScorerService extends StreamsService {

    public static final String APPLICATION_ID = "crs-scorer";

    private final RelevanceJudge judge;

    private ScorerService(Platform platform, RelevanceJudge judge) {
        super("scorer", platform, APPLICATION_ID,
                ScorerTopology.build(platform, judge, (float) platform.config().getDouble("scorer.threshold")));
        this.judge = judge;
    }

    public static ScorerService create(Platform platform) {
        return create(platform, Judges.create(platform));
    }

    /** A scorer around a judge built by the caller; the service closes it on stop. */
    public static ScorerService create(Platform platform, RelevanceJudge judge) {
        return new ScorerService(platform, judge);
    }

    @Override
    public synchronized void stop() {
        super.stop();
        judge.close();
    }
}
