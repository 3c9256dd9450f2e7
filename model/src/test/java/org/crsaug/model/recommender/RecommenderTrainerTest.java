package org.crsaug.model.recommender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.model.eval.RecallMetrics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synthetic task: each context's correct item is the nearest of 50 random prototypes. Augmented labels are
 * the two nearest prototypes, i.e. noisier but related, as LLM-judged labels would be.
 */
class RecommenderTrainerTest {

    private static final int DIM = 16;
    private static final int ITEMS = 50;
    private static final int TRAIN = 800;

    private static float[][] prototypes;
    private static List<Example> real;
    private static List<Example> realShifted;
    private static List<Example> augmented;
    private static List<EvalContext> validation;
    private static float[][] probe;

    @BeforeAll
    static void makeData() {
        Random rng = new Random(123);
        prototypes = new float[ITEMS][];
        for (int i = 0; i < ITEMS; i++) {
            prototypes[i] = unit(rng);
        }
        real = new ArrayList<>();
        realShifted = new ArrayList<>();
        augmented = new ArrayList<>();
        for (int i = 0; i < TRAIN; i++) {
            float[] c = unit(rng);
            int[] near = nearest(c, 2);
            real.add(new Example(c, near[0]));
            realShifted.add(new Example(c, (near[0] + 1) % ITEMS));
            augmented.add(new Example(c, near[0]));
            augmented.add(new Example(c, near[1]));
        }
        validation = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            float[] c = unit(rng);
            validation.add(new EvalContext(c, new int[] {nearest(c, 1)[0]}, new int[0]));
        }
        probe = new float[20][];
        for (int i = 0; i < probe.length; i++) {
            probe[i] = unit(rng);
        }
    }

    private static float[] unit(Random rng) {
        float[] v = new float[DIM];
        double norm = 0;
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) rng.nextGaussian();
            norm += v[i] * v[i];
        }
        for (int i = 0; i < DIM; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    private static int[] nearest(float[] c, int n) {
        Integer[] idx = new Integer[ITEMS];
        double[] dot = new double[ITEMS];
        for (int i = 0; i < ITEMS; i++) {
            idx[i] = i;
            for (int j = 0; j < DIM; j++) {
                dot[i] += c[j] * prototypes[i][j];
            }
        }
        Arrays.sort(idx, (a, b) -> Double.compare(dot[b], dot[a]));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    private static TrainerSettings settings(TrainingMode mode, int pre, int fine) {
        return new TrainerSettings(32, 0.01, 32, pre, fine, 0.0, 1.0, 0, 42L, mode, "semantic");
    }

    private static TrainingData data(List<Example> realLabels, List<Example> augLabels) {
        return new TrainingData(ITEMS, null, realLabels, augLabels, validation);
    }

    private static float[][] trainAndScore(TrainingData d, TrainerSettings s) {
        try (TrainedRecommender r = new RecommenderTrainer().train(d, s)) {
            return r.score(probe);
        }
    }

    @Test
    void baselineLearnsTheNearestPrototypeTask() {
        try (TrainedRecommender r = new RecommenderTrainer().train(data(real, List.of()),
                settings(TrainingMode.BASELINE, 0, 40))) {
            Map<String, Double> m = r.validationMetrics();
            // chance level for recall@1 is 1/50
            assertThat(m.get("recall@1")).isGreaterThan(0.3);
            assertThat(m.get("recall@10")).isGreaterThan(0.8);
            assertThat(r.history()).allSatisfy(e -> assertThat(e.stage()).isEqualTo("baseline"));
            assertThat(r.history().get(r.history().size() - 1).trainLoss())
                    .isLessThan(r.history().get(0).trainLoss());
            // the kept model is the best validation epoch (recall@50 saturates with 50 items, so recall@10 decides)
            double best10 = r.history().stream().mapToDouble(e -> e.validation().get("recall@10")).max().orElseThrow();
            double best1 = r.history().stream().filter(e -> e.validation().get("recall@10") == best10)
                    .mapToDouble(e -> e.validation().get("recall@1")).max().orElseThrow();
            assertThat(m.get("recall@10")).isEqualTo(best10);
            assertThat(m.get("recall@1")).isEqualTo(best1);
            assertThat(r.history()).extracting(EpochLog::validation).contains(m);
            assertThat(r.evaluate(validation, RecallMetrics.Protocol.STRICT, null, 1, 10, 50)).isEqualTo(m);
        }
    }

    @Test
    void sameSeedGivesIdenticalScoresAndAnotherSeedDoesNot() {
        TrainerSettings s = settings(TrainingMode.BASELINE, 0, 3);
        float[][] a = trainAndScore(data(real, List.of()), s);
        float[][] b = trainAndScore(data(real, List.of()), s);
        float[][] c = trainAndScore(data(real, List.of()), s.withSeed(43));
        assertThat(b).isDeepEqualTo(a);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void klTermChangesTwoStageFineTuning() {
        TrainerSettings s = settings(TrainingMode.TWO_STAGE, 3, 3);
        TrainingData d = data(real, augmented);
        float[][] plain;
        try (TrainedRecommender r = new RecommenderTrainer().train(d, s)) {
            plain = r.score(probe);
            assertThat(r.history()).extracting(EpochLog::stage).containsOnly("pretrain", "finetune")
                    .contains("pretrain", "finetune");
        }
        float[][] withKl = trainAndScore(d, s.withAlpha(0.5));
        assertThat(withKl).isNotEqualTo(plain);
    }

    @Test
    void augOnlyTrainsOnlyOnAugmentedLabels() {
        TrainerSettings s = settings(TrainingMode.AUG_ONLY, 3, 5);
        try (TrainedRecommender r = new RecommenderTrainer().train(data(real, augmented), s)) {
            assertThat(r.history()).hasSize(3).allSatisfy(e -> assertThat(e.stage()).isEqualTo("pretrain"));
        }
        // real labels must not matter at all
        assertThat(trainAndScore(data(realShifted, augmented), s)).isDeepEqualTo(trainAndScore(data(real, augmented), s));
        assertThat(trainAndScore(data(List.of(), augmented), s)).isDeepEqualTo(trainAndScore(data(real, augmented), s));
    }

    @Test
    void mixUsesBothLabelSets() {
        TrainerSettings s = settings(TrainingMode.MIX, 0, 3);
        float[][] both = trainAndScore(data(real, augmented), s);
        assertThat(trainAndScore(data(real, List.of()), s)).isNotEqualTo(both);
        assertThat(trainAndScore(data(realShifted, augmented), s)).isNotEqualTo(both);
    }

    @Test
    void missingLabelSetIsRejectedWithAClearMessage() {
        assertThatThrownBy(() -> new RecommenderTrainer().train(data(real, List.of()), settings(TrainingMode.TWO_STAGE, 1, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("augmented");
    }

    @Test
    void saveAndLoadGiveIdenticalScores(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sub/recommender");
        try (TrainedRecommender r = new RecommenderTrainer().train(
                new TrainingData(ITEMS, prototypes, real, List.of(), validation), settings(TrainingMode.BASELINE, 0, 2))) {
            r.save(file);
            try (TrainedRecommender back = TrainedRecommender.load(file)) {
                assertThat(back.score(probe)).isDeepEqualTo(r.score(probe));
                assertThat(back.numItems()).isEqualTo(ITEMS);
                assertThat(back.backbone()).isEqualTo("semantic");
                assertThat(back.validationMetrics()).isEqualTo(r.validationMetrics());
                assertThat(back.history()).isEqualTo(r.history());
                assertThat(back.settings()).isEqualTo(r.settings()).containsEntry("trainer.mode", "baseline");
            }
        }
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file); // no temp directories left behind
        }
    }

    @Test
    void equalTrainingsSaveEqualBytes(@TempDir Path dir) throws IOException {
        // replays compare artifacts by checksum, so nothing in the saved form may vary from run to run
        TrainerSettings s = settings(TrainingMode.BASELINE, 0, 1);
        for (String name : List.of("a", "b")) {
            try (TrainedRecommender r = new RecommenderTrainer().train(data(real, List.of()), s)) {
                r.save(dir.resolve(name));
            }
        }
        for (String f : List.of(RecommenderArtifact.PARAMS_FILE, RecommenderArtifact.METADATA_FILE,
                RecommenderArtifact.CHECKSUM_FILE)) {
            assertThat(Files.readAllBytes(dir.resolve("b").resolve(f))).as(f)
                    .isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(f)));
        }
    }

    @Test
    void savingAgainReplacesTheModel(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("recommender");
        try (TrainedRecommender a = new RecommenderTrainer().train(data(real, List.of()), settings(TrainingMode.BASELINE, 0, 1));
             TrainedRecommender b = new RecommenderTrainer().train(data(real, List.of()),
                     settings(TrainingMode.BASELINE, 0, 1).withSeed(7))) {
            a.save(file);
            b.save(file);
            try (TrainedRecommender back = TrainedRecommender.load(file)) {
                assertThat(back.score(probe)).isDeepEqualTo(b.score(probe));
            }
        }
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void damagedFilesAreRejected(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good");
        try (TrainedRecommender r = new RecommenderTrainer().train(data(real, List.of()), settings(TrainingMode.BASELINE, 0, 1))) {
            r.save(good);
        }
        Path params = Path.of(RecommenderArtifact.PARAMS_FILE);
        byte[] bytes = Files.readAllBytes(good.resolve(params));

        Path flipped = copy(good, dir.resolve("flipped"));
        byte[] f = bytes.clone();
        f[f.length / 2] ^= 0x10;
        Files.write(flipped.resolve(params), f);
        assertThatThrownBy(() -> TrainedRecommender.load(flipped))
                .isInstanceOf(RecommenderFormatException.class).hasMessageContaining("corrupt");

        Path truncated = copy(good, dir.resolve("truncated"));
        Files.write(truncated.resolve(params), Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> TrainedRecommender.load(truncated))
                .isInstanceOf(RecommenderFormatException.class).hasMessageContaining("truncated");

        Path editedMetadata = copy(good, dir.resolve("edited"));
        Path json = editedMetadata.resolve(RecommenderArtifact.METADATA_FILE);
        Files.writeString(json, Files.readString(json).replace("\"baseline\"", "\"mix\""));
        assertThatThrownBy(() -> TrainedRecommender.load(editedMetadata))
                .isInstanceOf(RecommenderFormatException.class).hasMessageContaining("corrupt");

        Path other = dir.resolve("other");
        Files.writeString(other, "definitely not a model");
        assertThatThrownBy(() -> TrainedRecommender.load(other))
                .isInstanceOf(RecommenderFormatException.class).hasMessageContaining("not a saved recommender");

        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> TrainedRecommender.load(empty))
                .isInstanceOf(RecommenderFormatException.class).hasMessageContaining("not a saved recommender");
    }

    @Test
    void modelsOfTheOldSingleFileFormatAreRefusedWithWhatToDo(@TempDir Path dir) throws IOException {
        // an artifact of format version 1: model.bin starting with the CRSREC magic and version 1
        Path artifact = Files.createDirectories(dir.resolve("inspired-r1-baseline-semantic-0000"));
        byte[] v1 = {'C', 'R', 'S', 'R', 'E', 'C', 0, 0, 0, 1};
        Files.write(artifact.resolve(RecommenderArtifact.LEGACY_FILE), v1);
        for (Path p : List.of(artifact.resolve(TrainedRecommender.ARTIFACT_ENTRY),
                artifact.resolve(RecommenderArtifact.LEGACY_FILE))) {
            assertThatThrownBy(() -> TrainedRecommender.load(p))
                    .isInstanceOf(RecommenderFormatException.class)
                    .hasMessageContaining("format version 2")
                    .hasMessageContaining("crs run")
                    .hasMessageContaining("crs replay");
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    @Test
    void settingsComeFromConfigAndModesParse() {
        TrainerSettings s = TrainerSettings.fromConfig(CrsConfig.defaults().with("trainer.alpha", "0.5"), TrainingMode.MIX);
        assertThat(s.alpha()).isEqualTo(0.5);
        assertThat(s.hidden()).isEqualTo(512);
        assertThat(s.mode()).isEqualTo(TrainingMode.MIX);
        assertThat(s.asMap()).containsEntry("trainer.mode", "mix").containsEntry("trainer.alpha", "0.5");
        assertThat(TrainerSettings.fromConfig(CrsConfig.defaults().withAll(s.asMap()))).isEqualTo(s);
        assertThat(TrainingMode.parse("two-stage")).isEqualTo(TrainingMode.TWO_STAGE);
        assertThat(TrainingMode.parse("AUG_ONLY")).isEqualTo(TrainingMode.AUG_ONLY);
        assertThatThrownBy(() -> TrainingMode.parse("both")).hasMessageContaining("two-stage");
    }
}
