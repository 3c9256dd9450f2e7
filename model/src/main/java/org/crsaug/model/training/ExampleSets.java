package org.crsaug.model.training;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.model.recommender.EvalContext;
import org.crsaug.model.recommender.Example;

/**
 * Turns contexts into model inputs (context vector plus the catalogue positions of the items mentioned so far). Contexts without a vector, and gold items outside the
 * catalogue, cannot be used; they are counted rather than silently dropped.
 */
public final class ExampleSets {

    /** What could not be used, reported next to the metrics. */
    public static final class Skipped {
        public int contextsWithoutVector;
        public int labelsOutsideCatalogue;
    }

    private ExampleSets() {
    }

    public static List<EvalContext> evalContexts(List<DialogueContext> contexts, Catalogue catalogue,
            Function<String, float[]> vectorOf, Skipped skipped) {
        return evalContexts(contexts, catalogue, vectorOf, skipped, null);
    }

    /**
     * As above; {@code sources}, when given, receives the dialogue context of each evaluation context, in
     * the same order, for evaluations that need the text or ids again (S@k, a zero-shot LLM).
     */
    public static List<EvalContext> evalContexts(List<DialogueContext> contexts, Catalogue catalogue,
            Function<String, float[]> vectorOf, Skipped skipped, List<DialogueContext> sources) {
        List<EvalContext> out = new ArrayList<>();
        for (DialogueContext c : contexts) {
            float[] v = vectorOf.apply(c.contextId());
            if (v == null) {
                skipped.contextsWithoutVector++;
                continue;
            }
            int[] gold = positions(c.goldItemIds(), catalogue, skipped);
            if (gold.length == 0) {
                continue;
            }
            out.add(new EvalContext(v, gold, positions(c.mentionedBefore(), catalogue, null),
                    positions(c.mentionedInOrder(), catalogue, null)));
            if (sources != null) {
                sources.add(c);
            }
        }
        return out;
    }

    /** One example per (context, item) pair, as the method trains: each label is its own sample. */
    public static List<Example> examples(List<DialogueContext> contexts, Catalogue catalogue,
            Function<String, float[]> vectorOf, Function<DialogueContext, List<String>> labelsOf, Skipped skipped) {
        List<Example> out = new ArrayList<>();
        for (DialogueContext c : contexts) {
            List<String> labels = labelsOf.apply(c);
            if (labels == null || labels.isEmpty()) {
                continue;
            }
            float[] v = vectorOf.apply(c.contextId());
            if (v == null) {
                skipped.contextsWithoutVector++;
                continue;
            }
            // mentions outside the catalogue are not counted as skipped: they are inputs, not labels
            int[] mentioned = positions(c.mentionedInOrder(), catalogue, null);
            for (int p : positions(labels, catalogue, skipped)) {
                out.add(new Example(v, p, mentioned));
            }
        }
        return out;
    }

    private static int[] positions(Iterable<String> itemIds, Catalogue catalogue, Skipped skipped) {
        List<Integer> out = new ArrayList<>();
        for (String id : itemIds) {
            OptionalInt p = catalogue.position(id);
            if (p.isPresent()) {
                out.add(p.getAsInt());
            } else if (skipped != null) {
                skipped.labelsOutsideCatalogue++;
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
