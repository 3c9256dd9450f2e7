package org.crsaug.model.recommender;

import ai.djl.training.Trainer;
import ai.djl.training.listener.EarlyStoppingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validation-based model selection with early stopping: keeps a host copy of the weights of the best
 * epoch so far and ends training after {@code patience} epochs without improvement, by throwing DJL's
 * {@link EarlyStoppingListener.EarlyStoppedException} out of {@link ai.djl.training.EasyTrain#fit}.
 *
 * <p>DJL's {@link EarlyStoppingListener} itself does not fit: it watches the validation <em>loss</em>
 * (and percentage improvements of it), while this project selects by strict-protocol recall
 * ({@link org.crsaug.model.eval.RecallMetrics}: recall@50, ties broken by recall@10, recall@1, then the
 * earlier epoch) and has to hand the best epoch's weights on to the next stage, not just stop.
 *
 * <p>Must be registered after the {@link EpochLogListener} whose metrics it reads, so that the epoch it
 * stops on is logged too. Without validation metrics it keeps nothing and never stops; the caller then
 * takes the last epoch.
 */
final class BestEpochListener extends TrainingListenerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(RecommenderTrainer.class);
    static final String SELECTION_METRIC = "recall@50";

    private final EpochLogListener epochs;
    private final int patience;
    private Weights best;
    private Map<String, Double> bestMetrics = Map.of();
    private int sinceBest;

    /** @param patience epochs without improvement before stopping; &lt;= 0 never stops early */
    BestEpochListener(EpochLogListener epochs, int patience) {
        this.epochs = epochs;
        this.patience = patience;
    }

    @Override
    public void onEpoch(Trainer trainer) {
        EpochLog latest = epochs.latest();
        Map<String, Double> metrics = latest.validation();
        if (metrics.isEmpty()) {
            return;
        }
        if (best == null || improves(metrics, bestMetrics)) {
            best = Weights.capture(trainer.getModel().getBlock());
            bestMetrics = metrics;
            sinceBest = 0;
        } else if (patience > 0 && ++sinceBest >= patience) {
            LOG.info("{}: no validation gain for {} epochs, keeping epoch with {}={}", latest.stage(), sinceBest,
                    SELECTION_METRIC, bestMetrics.get(SELECTION_METRIC));
            throw new EarlyStoppingListener.EarlyStoppedException(latest.epoch(),
                    "no validation gain for " + sinceBest + " epochs");
        }
    }

    /** Weights of the best epoch, or null when no epoch had validation metrics. */
    Weights best() {
        return best;
    }

    Map<String, Double> bestMetrics() {
        return new LinkedHashMap<>(bestMetrics);
    }

    static boolean improves(Map<String, Double> m, Map<String, Double> best) {
        int c = Double.compare(m.getOrDefault(SELECTION_METRIC, 0.0), best.getOrDefault(SELECTION_METRIC, 0.0));
        if (c != 0) {
            return c > 0;
        }
        // small catalogues saturate recall@50, so finer cut-offs break the tie before the earlier epoch wins
        c = Double.compare(m.getOrDefault("recall@10", 0.0), best.getOrDefault("recall@10", 0.0));
        if (c != 0) {
            return c > 0;
        }
        return m.getOrDefault("recall@1", 0.0) > best.getOrDefault("recall@1", 0.0);
    }
}
