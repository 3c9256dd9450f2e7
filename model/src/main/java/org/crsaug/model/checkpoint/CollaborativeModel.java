package org.crsaug.model.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.crsaug.data.item.ItemText;
import org.crsaug.data.state.PipelineState;
import org.crsaug.model.eval.CollaborativeScore;
import org.crsaug.model.recommender.EvalContext;
import org.crsaug.model.recommender.RecommenderTrainer;
import org.crsaug.model.recommender.SequentialBackbone;
import org.crsaug.model.recommender.TrainedRecommender;
import org.crsaug.model.recommender.TrainerSettings;
import org.crsaug.model.recommender.TrainingData;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.model.training.Catalogue;
import org.crsaug.model.training.TrainingRound;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.config.CrsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collaborative-filtering model that CS@k ({@link CollaborativeScore}) is measured with: the sequential
 * backbone trained, in baseline mode, on the original labels of the dataset's training dialogues only (no
 * augmented labels), over every title of the dataset so it can score any checkpoint's catalogue.
 *
 * <p>It is trained once per dataset and kept as the artifact {@code collaborative-<dataset>-<fingerprint>}
 * under the artifact root, then reused by every later evaluation, so CS@k of checkpoints trained at different
 * times, with different modes, backbones, seeds or labels, is measured with one and the same model. The
 * fingerprint covers the training settings that shape it (not alpha, the temperature or the pre-training
 * epochs, which a baseline does not use) and {@link #VERSION}; delete the artifact to train it anew on newer
 * dialogues.
 */
public final class CollaborativeModel implements AutoCloseable {

    /**
     * Part of the fingerprint: raise it when the model or its training changes, so old artifacts are not reused.
     * 2: the sequential backbone's training no longer reads freed memory now and then ({@code Params#times}).
     */
    static final String VERSION = "2";
    static final String ARTIFACT_PREFIX = "collaborative-";
    static final String INFO_FILE = "collaborative.txt";
    private static final Logger LOG = LoggerFactory.getLogger(CollaborativeModel.class);

    private final String artifactId;
    private final Catalogue catalogue;
    private final TrainedRecommender model;

    CollaborativeModel(String artifactId, Catalogue catalogue, TrainedRecommender model) {
        if (model.numItems() != catalogue.size()) {
            model.close();
            throw new IllegalArgumentException("collaborative model scores " + model.numItems() + " items but its"
                    + " catalogue lists " + catalogue.size());
        }
        this.artifactId = artifactId;
        this.catalogue = catalogue;
        this.model = model;
    }

    /** The settings the collaborative model is trained with: the configured trainer's, as a sequential baseline. */
    static TrainerSettings settings(CrsConfig config) {
        TrainerSettings t = TrainerSettings.fromConfig(config, TrainingMode.BASELINE);
        return new TrainerSettings(t.hidden(), t.learningRate(), t.batchSize(), 0, t.finetuneEpochs(), 0.0, 1.0,
                t.patience(), t.seed(), TrainingMode.BASELINE, SequentialBackbone.NAME);
    }

    /** The artifact id the dataset's collaborative model has under these settings. */
    public static String artifactId(CrsConfig config, String dataset) {
        return ARTIFACT_PREFIX + dataset + "-" + ItemText.contentHash(VERSION + settings(config).asMap()).substring(0, 8);
    }

    /**
     * The dataset's collaborative model: loaded when it was trained before, otherwise trained now on the
     * training dialogues the pipeline state holds and published. The state is asked for only to train.
     *
     * @throws IllegalStateException when there is nothing to train on (no training context names an item, or
     *                               the contexts have no embeddings yet) or the saved model cannot be read
     */
    public static CollaborativeModel obtain(Supplier<PipelineState> state, CrsConfig config, String dataset) {
        ArtifactStore store = new ArtifactStore(config.artifactRoot());
        String id = artifactId(config, dataset);
        Path dir = store.root().resolve(id);
        if (!Files.isDirectory(dir)) {
            train(state.get(), config, dataset, store, id);
        }
        try {
            return new CollaborativeModel(id, Catalogue.readFrom(dir),
                    TrainedRecommender.load(dir.resolve(TrainedRecommender.ARTIFACT_ENTRY)));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the collaborative model " + dir + " (" + e.getMessage()
                    + "); delete that directory and it is trained again", e);
        }
    }

    private static void train(PipelineState state, CrsConfig config, String dataset, ArtifactStore store, String id) {
        TrainerSettings settings = settings(config);
        long started = System.currentTimeMillis();
        // every title, so the model can score whichever catalogue a checkpoint ranks over; the original
        // dialogues only, so another dataset's borrowed first-stage examples are never built for it
        TrainingRound.Snapshot snapshot = new TrainingRound(config.with("catalogue", "all")
                .with(org.crsaug.model.training.ExtraPretraining.SETTING, ""), store)
                .snapshot(state, dataset, settings.seed());
        TrainingData original = new TrainingData(snapshot.data().numItems(), null, snapshot.data().real(), List.of(),
                snapshot.data().validation());
        if (original.real().isEmpty()) {
            throw new IllegalStateException("No training context of " + dataset + " with a gold item and an embedding"
                    + " yet, so there is no collaborative model for CS@k; ingest and encode the training dialogues");
        }
        try (TrainedRecommender trained = new RecommenderTrainer().train(original, settings)) {
            Map<String, String> info = new TreeMap<>(settings.asMap());
            info.put("dataset", dataset);
            snapshot.dataStats().forEach((k, v) -> info.put("data." + k, Double.toString(v)));
            trained.validationMetrics().forEach((k, v) -> info.put("validation." + k, Double.toString(v)));
            info.put("train_seconds", Double.toString((System.currentTimeMillis() - started) / 1000.0));
            store.publish(id, d -> {
                trained.save(d.resolve(TrainedRecommender.ARTIFACT_ENTRY));
                snapshot.catalogue().writeTo(d);
                List<String> lines = new ArrayList<>();
                info.forEach((k, v) -> lines.add(k + "=" + v));
                Files.write(d.resolve(INFO_FILE), lines, StandardCharsets.UTF_8);
            });
            LOG.info("Collaborative model {} for CS@k trained on {} original pairs in {} s: validation {}", id,
                    original.real().size(), info.get("train_seconds"), trained.validationMetrics());
        } catch (UncheckedIOException e) {
            throw new IllegalStateException("Cannot publish the collaborative model " + id + ": " + e.getMessage(), e);
        }
    }

    public String artifactId() {
        return artifactId;
    }

    /**
     * The collaborative logits of every item of {@code catalogue} (a checkpoint's) for each context, given the
     * context's mentioned items in order ({@link EvalContext#mentioned()}, positions in {@code catalogue}); NaN
     * for an item this model does not know; a null row for a context that names no item it knows.
     */
    public float[][] logits(Catalogue catalogue, List<EvalContext> contexts) {
        int[] own = new int[catalogue.size()];
        for (int i = 0; i < own.length; i++) {
            own[i] = this.catalogue.position(catalogue.itemId(i)).orElse(-1);
        }
        List<Integer> rows = new ArrayList<>();
        List<int[]> sequences = new ArrayList<>();
        for (int c = 0; c < contexts.size(); c++) {
            int[] seq = Arrays.stream(contexts.get(c).mentioned()).map(p -> own[p]).filter(p -> p >= 0).toArray();
            if (seq.length > 0) {
                rows.add(c);
                sequences.add(seq);
            }
        }
        float[][] out = new float[contexts.size()][];
        if (sequences.isEmpty()) {
            return out;
        }
        // the sequential backbone does not read the context vector; it only needs the recorded width
        float[][] blank = new float[sequences.size()][model.contextDim()];
        float[][] scores = model.score(blank, sequences.toArray(int[][]::new));
        for (int r = 0; r < scores.length; r++) {
            float[] mapped = new float[own.length];
            for (int i = 0; i < own.length; i++) {
                mapped[i] = own[i] >= 0 ? scores[r][own[i]] : Float.NaN;
            }
            out[rows.get(r)] = mapped;
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
