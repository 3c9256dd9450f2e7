package org.crsaug.model.recommender;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.crsaug.platform.config.CrsConfig;

/**
 * Hyper-parameters of one training run.
 *
 * <p>Which epochs count is decided by the mode: the augmented-label stage (TWO_STAGE's first stage and
 * AUG_ONLY) runs up to {@code pretrainEpochs}; the real-label stage (BASELINE, TWO_STAGE's second stage
 * and MIX) runs up to {@code finetuneEpochs}. {@code patience} &lt;= 0 turns early stopping off but the
 * best validation epoch is still the one returned.
 *
 * @param temperature divides the frozen pre-trained model's scores before its softmax, so values above 1
 *                    spread the soft labels over more items
 * @param alpha       weight of KL(P_model || P_soft) in the fine-tuning loss; 0 turns it off
 */
public record TrainerSettings(int hidden, double learningRate, int batchSize, int pretrainEpochs, int finetuneEpochs,
                              double alpha, double temperature, int patience, long seed, TrainingMode mode,
                              String backbone) {

    public TrainerSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(backbone, "backbone");
        backbone = backbone.trim().toLowerCase(Locale.ROOT);
        require(hidden > 0, "trainer.hidden must be positive, got " + hidden);
        require(learningRate > 0 && Double.isFinite(learningRate), "trainer.learning.rate must be positive, got " + learningRate);
        require(batchSize > 0, "trainer.batch.size must be positive, got " + batchSize);
        require(pretrainEpochs >= 0, "trainer.pretrain.epochs must be >= 0, got " + pretrainEpochs);
        require(finetuneEpochs >= 0, "trainer.finetune.epochs must be >= 0, got " + finetuneEpochs);
        require(alpha >= 0 && Double.isFinite(alpha), "trainer.alpha must be >= 0, got " + alpha);
        require(temperature > 0 && Double.isFinite(temperature), "trainer.temperature must be positive, got " + temperature);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Reads the {@code trainer.*} keys; the mode is an experiment axis rather than a setting, so it is passed in. */
    public static TrainerSettings fromConfig(CrsConfig c, TrainingMode mode) {
        return new TrainerSettings(
                c.getInt("trainer.hidden"),
                c.getDouble("trainer.learning.rate"),
                c.getInt("trainer.batch.size"),
                c.getInt("trainer.pretrain.epochs"),
                c.getInt("trainer.finetune.epochs"),
                c.getDouble("trainer.alpha"),
                c.getDouble("trainer.temperature"),
                c.getInt("trainer.patience"),
                c.getLong("trainer.seed"),
                mode,
                c.get("trainer.backbone"));
    }

    /**
     * Mode from {@code trainer.mode} when a lineage record put it there, otherwise TWO_STAGE (the paper's
     * method); callers running a comparison override it with {@link #withMode}.
     */
    public static TrainerSettings fromConfig(CrsConfig c) {
        return fromConfig(c, TrainingMode.parse(c.get("trainer.mode", "two-stage")));
    }

    public TrainerSettings withMode(TrainingMode m) {
        return new TrainerSettings(hidden, learningRate, batchSize, pretrainEpochs, finetuneEpochs, alpha, temperature,
                patience, seed, m, backbone);
    }

    public TrainerSettings withAlpha(double a) {
        return new TrainerSettings(hidden, learningRate, batchSize, pretrainEpochs, finetuneEpochs, a, temperature,
                patience, seed, mode, backbone);
    }

    public TrainerSettings withSeed(long s) {
        return new TrainerSettings(hidden, learningRate, batchSize, pretrainEpochs, finetuneEpochs, alpha, temperature,
                patience, s, mode, backbone);
    }

    /** Keys mirror the configuration keys so a lineage record can be fed back in as overrides. */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("trainer.mode", mode.label());
        m.put("trainer.backbone", backbone);
        m.put("trainer.hidden", Integer.toString(hidden));
        m.put("trainer.learning.rate", Double.toString(learningRate));
        m.put("trainer.batch.size", Integer.toString(batchSize));
        m.put("trainer.pretrain.epochs", Integer.toString(pretrainEpochs));
        m.put("trainer.finetune.epochs", Integer.toString(finetuneEpochs));
        m.put("trainer.alpha", Double.toString(alpha));
        m.put("trainer.temperature", Double.toString(temperature));
        m.put("trainer.patience", Integer.toString(patience));
        m.put("trainer.seed", Long.toString(seed));
        return m;
    }
}
