package org.crsaug.model.recommender;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one {@link EpochLog} per epoch of a stage: the mean per-sample training loss and the validation
 * metrics after the epoch.
 *
 * <p>The loss is the mean over samples (each batch weighted by its size and summed in double), not DJL's
 * {@link ai.djl.training.listener.EvaluatorTrainingListener} mean over batches summed in float, because the
 * recorded histories and the README's tables were made that way. It re-evaluates the trainer's loss on the
 * batch's labels and predictions, as DJL's own evaluator listener does; on the CPU that gives the very
 * value that was back-propagated.
 */
final class EpochLogListener extends TrainingListenerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(RecommenderTrainer.class);

    private final String stage;
    private final int epochs;
    private final Function<Model, Map<String, Double>> validation;
    private final List<EpochLog> log = new ArrayList<>();
    private double total;
    private long samples;

    /** @param validation metrics of the model after an epoch; an empty map when there is no validation set */
    EpochLogListener(String stage, int epochs, Function<Model, Map<String, Double>> validation) {
        this.stage = stage;
        this.epochs = epochs;
        this.validation = validation;
    }

    @Override
    public void onTrainingBatch(Trainer trainer, TrainingListener.BatchData batchData) {
        for (var e : batchData.getLabels().entrySet()) {
            NDList labels = e.getValue();
            NDList predictions = batchData.getPredictions().get(e.getKey());
            int size = Math.toIntExact(labels.head().getShape().get(0));
            total += trainer.getLoss().evaluate(labels, predictions).getFloat() * size;
            samples += size;
        }
    }

    @Override
    public void onEpoch(Trainer trainer) {
        double loss = total / samples;
        total = 0;
        samples = 0;
        Map<String, Double> metrics = validation.apply(trainer.getModel());
        EpochLog entry = new EpochLog(stage, log.size() + 1, loss, metrics);
        log.add(entry);
        LOG.info("{} epoch {}/{}: loss {} validation {}", stage, entry.epoch(), epochs, String.format("%.4f", loss),
                metrics);
    }

    /** The epochs so far, oldest first. */
    List<EpochLog> log() {
        return Collections.unmodifiableList(log);
    }

    /** The epoch just finished. */
    EpochLog latest() {
        return log.get(log.size() - 1);
    }
}
