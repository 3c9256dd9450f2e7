package org.crsaug.scorer;

import org.crsaug.common.config.ConfigException;
import org.crsaug.common.config.CrsConfig;

/** Picks the judge named by {@code scorer.judge}. */
public final class Judges {

    private Judges() {
    }

    public static RelevanceJudge create(CrsConfig config) {
        String name = config.get("scorer.judge");
        if (RetrievalOnlyJudge.ID.equals(name)) {
            return new RetrievalOnlyJudge(config.getInt("scorer.retrieval.top.n"));
        }
        throw new ConfigException("Unknown scorer.judge '" + name + "'; available: " + RetrievalOnlyJudge.ID);
    }
}
