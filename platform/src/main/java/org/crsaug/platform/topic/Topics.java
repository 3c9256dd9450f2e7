package org.crsaug.platform.topic;

import java.util.List;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Evaluation;
import org.crsaug.schema.IngestedFile;
import org.crsaug.schema.Item;
import org.crsaug.schema.JudgeBatch;
import org.crsaug.schema.Judgement;
import org.crsaug.schema.ScoredPair;
import org.crsaug.schema.SeekerUtterance;
import org.crsaug.schema.SimulationEpisode;

/** The registry of every topic the pipeline reads or writes. Code refers to these, never to names. */
public final class Topics {

    public static final TopicSpec<Item> ITEMS = new TopicSpec<>("items", Item.class, true);
    public static final TopicSpec<Dialogue> DIALOGUES = new TopicSpec<>("dialogues", Dialogue.class, true);
    public static final TopicSpec<ContextEmbedding> EMBEDDINGS =
            new TopicSpec<>("embeddings", ContextEmbedding.class, true);
    public static final TopicSpec<Candidates> CANDIDATES = new TopicSpec<>("candidates", Candidates.class, false);
    public static final TopicSpec<ScoredPair> SCORED_PAIRS = new TopicSpec<>("scored-pairs", ScoredPair.class, false);
    public static final TopicSpec<AugmentedLabels> AUGMENTED_LABELS =
            new TopicSpec<>("augmented-labels", AugmentedLabels.class, false);
    public static final TopicSpec<Checkpoint> CHECKPOINTS = new TopicSpec<>("checkpoints", Checkpoint.class, false);
    public static final TopicSpec<Evaluation> EVALUATIONS = new TopicSpec<>("evaluations", Evaluation.class, false);
    /** The LLM judge's cache: one record per paid judgement, compacted by its content hash. */
    public static final TopicSpec<Judgement> JUDGEMENTS = new TopicSpec<>("judgements", Judgement.class, true);
    /**
     * Files {@code crs ingest --watch} has taken, compacted by dataset and content digest: written in
     * the transaction that publishes the file's dialogues, so a restart neither repeats nor skips one.
     */
    public static final TopicSpec<IngestedFile> INGESTED_FILES =
            new TopicSpec<>("ingested-files", IngestedFile.class, true);
    /**
     * The LLM judge's Batch API jobs, compacted by batch id: recorded before a batch is polled, so a
     * restarted scorer polls the same batch again and never submits its requests twice.
     */
    public static final TopicSpec<JudgeBatch> JUDGE_BATCHES = new TopicSpec<>("judge-batches", JudgeBatch.class, true);
    /**
     * Simulated conversations of {@code crs simulate}, compacted by simulation, context and target: the
     * seeker's words, the recommender's answers and the target's rank each turn, so a simulation can be read
     * back, replayed through the same checkpoint and compared.
     */
    public static final TopicSpec<SimulationEpisode> SIMULATION_EPISODES =
            new TopicSpec<>("simulation-episodes", SimulationEpisode.class, true);
    /**
     * The LLM seeker's cache, one record per turn it spoke, compacted by (model, prompt version, episode, turn,
     * dialogue so far): a repeated simulation reads its words from here instead of paying for them again.
     */
    public static final TopicSpec<SeekerUtterance> SEEKER_UTTERANCES =
            new TopicSpec<>("seeker-utterances", SeekerUtterance.class, true);
    public static final TopicSpec<DeadLetter> DEAD_LETTERS = new TopicSpec<>("dead-letters", DeadLetter.class, false);

    /** Where the embedded schema registry keeps its schemas (compacted, like Confluent's _schemas). */
    public static final String SCHEMAS_TOPIC = "_crs_schemas";

    private Topics() {
    }

    public static List<TopicSpec<?>> all() {
        return List.of(ITEMS, DIALOGUES, EMBEDDINGS, CANDIDATES, SCORED_PAIRS, AUGMENTED_LABELS, CHECKPOINTS,
                EVALUATIONS, DEAD_LETTERS, JUDGEMENTS, INGESTED_FILES, JUDGE_BATCHES,
                SIMULATION_EPISODES, SEEKER_UTTERANCES);
    }
}
