package org.crsaug.scorer;

import java.util.Map;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.scorer.llm.LlmJudge;
import org.crsaug.scorer.student.StudentJudge;

/** Picks the judge named by {@code scorer.judge}. */
public final class Judges {

    private Judges() {
    }

    public static RelevanceJudge create(CrsConfig config) {
        return create(config, System.getenv());
    }

    /** Judges that read topics of their own (the student) need the platform; the others only its config. */
    public static RelevanceJudge create(Platform platform) {
        if (StudentJudge.ID.equals(platform.config().get("scorer.judge"))) {
            return StudentJudge.fromConfig(platform, System.getenv());
        }
        return create(platform.config());
    }

    /**
     * The judge that scores a recommender's top k for S@k ({@code crs evaluate --semantic-score}, {@code crs
     * experiment --semantic-score}): the LLM judge or the student. Retrieval-only is refused: it scores a
     * candidate by its retrieval rank, which says nothing about a recommender's list.
     */
    public static RelevanceJudge forSemanticScores(Platform platform, String name, Map<String, String> environment) {
        if (LlmJudge.ID.equals(name)) {
            return LlmJudge.fromConfig(platform.config(), environment);
        }
        if (StudentJudge.ID.equals(name)) {
            return StudentJudge.fromConfig(platform, environment);
        }
        throw new ConfigException("--semantic-score needs a judge of relevance: " + LlmJudge.ID + " or "
                + StudentJudge.ID + ", not '" + name + "' (" + RetrievalOnlyJudge.ID + " only repeats the retrieval"
                + " rank, which says nothing about a recommender's list)");
    }

    /** Refuses what {@link #forSemanticScores} would refuse for these settings, building nothing. */
    public static void checkSemanticScoreJudge(CrsConfig config, String name, Map<String, String> environment) {
        if (!LlmJudge.ID.equals(name) && !StudentJudge.ID.equals(name)) {
            forSemanticScores(null, name, environment); // throws the error that names the two judges
        }
        checkSettings(config.with("scorer.judge", name), environment);
    }

    /** Refuses what {@link #create} would refuse for these settings, building nothing. */
    public static void checkSettings(CrsConfig config, Map<String, String> environment) {
        String name = config.get("scorer.judge");
        if (StudentJudge.ID.equals(name)) {
            StudentJudge.Options o = StudentJudge.Options.fromConfig(config);
            if (StudentJudge.TEACHER_LLM.equals(o.teacher())) {
                LlmJudge.checkSettings(config, environment, "scorer.student.teacher=llm");
            }
        } else if (LlmJudge.ID.equals(name)) {
            LlmJudge.checkSettings(config, environment, "scorer.judge=llm");
        } else if (RetrievalOnlyJudge.ID.equals(name)) {
            config.getInt("scorer.retrieval.top.n");
        } else {
            create(config, environment); // throws the unknown-judge error
        }
    }

    public static RelevanceJudge create(CrsConfig config, Map<String, String> environment) {
        String name = config.get("scorer.judge");
        if (StudentJudge.ID.equals(name)) {
            throw new ConfigException("scorer.judge=student reads the embeddings, dialogues and items topics;"
                    + " build it with Judges.create(Platform)");
        }
        if (RetrievalOnlyJudge.ID.equals(name)) {
            return new RetrievalOnlyJudge(config.getInt("scorer.retrieval.top.n"));
        }
        if (LlmJudge.ID.equals(name)) {
            return LlmJudge.fromConfig(config, environment);
        }
        throw new ConfigException("Unknown scorer.judge '" + name + "'; available: " + RetrievalOnlyJudge.ID
                + ", " + LlmJudge.ID + ", " + StudentJudge.ID);
    }
}
