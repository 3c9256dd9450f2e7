package org.crsaug.scorer;

import java.util.Map;
import org.crsaug.common.config.ConfigException;
import org.crsaug.common.config.CrsConfig;
import org.crsaug.scorer.llm.LlmJudge;

/** Picks the judge named by {@code scorer.judge}. */
public final class Judges {

    private Judges() {
    }

    public static RelevanceJudge create(CrsConfig config) {
        return create(config, System.getenv());
    }

    public static RelevanceJudge create(CrsConfig config, Map<String, String> environment) {
        String name = config.get("scorer.judge");
        if (RetrievalOnlyJudge.ID.equals(name)) {
            return new RetrievalOnlyJudge(config.getInt("scorer.retrieval.top.n"));
        }
        if (LlmJudge.ID.equals(name)) {
            return LlmJudge.fromConfig(config, environment);
        }
        throw new ConfigException("Unknown scorer.judge '" + name + "'; available: " + RetrievalOnlyJudge.ID
                + ", " + LlmJudge.ID);
    }
}
