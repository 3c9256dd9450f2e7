package org.crsaug.launcher.experiment;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.state.PipelineState;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Label;

/**
 * How good a set of augmented labels looks before any training: how often they contain the real
 * (held-out) gold item of their context, how much they pile onto a few popular items, and how much
 * of the catalogue they reach.
 *
 * @param goldHitRate   share of labelled training contexts whose real gold item is among the labels
 * @param top20Share    share of all labels that go to the 20 most-labelled items
 * @param coverage      distinct labelled catalogue items over catalogue size (labels outside the
 *                      catalogue cannot be trained on and do not count)
 */
public record LabelQuality(int labelledContexts, double labelsPerContext, double goldHitRate, double top20Share,
        double coverage) {

    public static LabelQuality of(PipelineState state, String dataset, org.crsaug.model.training.Catalogue catalogue) {
        List<DialogueContext> train = state.contexts(dataset, "train");
        int labelled = 0;
        int hits = 0;
        long labels = 0;
        Map<String, Integer> perItem = new HashMap<>();
        for (DialogueContext c : train) {
            AugmentedLabels l = state.labels(c.contextId());
            if (l == null || l.getLabels().isEmpty()) {
                continue;
            }
            labelled++;
            Set<String> ids = new HashSet<>();
            for (Label label : l.getLabels()) {
                ids.add(label.getItemId());
                perItem.merge(label.getItemId(), 1, Integer::sum);
                labels++;
            }
            if (c.goldItemIds().stream().anyMatch(ids::contains)) {
                hits++;
            }
        }
        long top20 = perItem.values().stream().sorted((a, b) -> b - a).limit(20).mapToLong(Integer::longValue).sum();
        return new LabelQuality(labelled, labelled == 0 ? 0 : (double) labels / labelled,
                labelled == 0 ? 0 : (double) hits / labelled, labels == 0 ? 0 : (double) top20 / labels,
                catalogue.size() == 0 ? 0 : (double) perItem.keySet().stream()
                        .filter(id -> catalogue.position(id).isPresent()).count() / catalogue.size());
    }
}
