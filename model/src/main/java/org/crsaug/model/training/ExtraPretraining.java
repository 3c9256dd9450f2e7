package org.crsaug.model.training;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.dataset.CrossCatalogue;
import org.crsaug.data.dataset.DataDirectory;
import org.crsaug.data.state.PipelineState;
import org.crsaug.model.recommender.Example;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;

/**
 * First-stage examples borrowed from another dataset ({@value #SETTING}): that dataset's training
 * contexts, with their gold and mentioned items mapped into this dataset's catalogue by title and year
 * ({@link CrossCatalogue}), join the augmented labels in pre-training. Fine-tuning never sees them, so the
 * second stage stays on the dataset's own real labels, as the method prescribes.
 *
 * <p>Why: a small dataset (INSPIRED, 1,405 training pairs) gives the first stage little to learn from,
 * while the other dataset's dialogues say which movies people ask for in which words.
 */
public final class ExtraPretraining {

    public static final String SETTING = "trainer.pretrain.extra.dataset";
    /** What every figure of {@link Result#stats()} starts with. */
    public static final String STATS_PREFIX = "extra_";
    private static final String TRAIN = "train";

    private ExtraPretraining() {
    }

    /**
     * The borrowed examples and how much of the two catalogues met.
     *
     * @param sourceItemsMentioned distinct items of the other dataset named (as gold or mention) in its training contexts
     * @param sourceItemsMapped    how many of those have a counterpart in this catalogue
     * @param targetItemsReached   distinct items of this catalogue those counterparts are
     * @param contexts             training contexts of the other dataset with at least one mapped gold item and a vector
     * @param contextsWithoutVector mapped contexts left out because the encoder had not encoded them
     */
    public record Result(String source, List<Example> examples, int sourceItemsMentioned, int sourceItemsMapped,
            int targetItemsReached, int contexts, int contextsWithoutVector) {

        /** The figures as they go into a snapshot's statistics (and so into every checkpoint's metrics). */
        public Map<String, Double> stats() {
            Map<String, Double> s = new LinkedHashMap<>();
            s.put("extra_pretrain_examples", (double) examples.size());
            s.put("extra_pretrain_contexts", (double) contexts);
            s.put("extra_source_items_mentioned", (double) sourceItemsMentioned);
            s.put("extra_source_items_mapped", (double) sourceItemsMapped);
            s.put("extra_target_items_reached", (double) targetItemsReached);
            s.put("extra_contexts_without_vector", (double) contextsWithoutVector);
            return s;
        }
    }

    /** The figures of {@link Result#stats()} in one sentence, for progress output and reports. */
    public static String describe(Map<String, Double> stats) {
        double mentioned = stats.getOrDefault("extra_source_items_mentioned", 0.0);
        double mapped = stats.getOrDefault("extra_source_items_mapped", 0.0);
        return String.format(java.util.Locale.ROOT, "extra first stage: %.0f of %.0f items named in the other dataset's"
                + " training dialogues mapped (%.1f%%), reaching %.0f catalogue items; %.0f examples from %.0f contexts"
                + " (%.0f mapped contexts had no vector)", mapped, mentioned, mentioned == 0 ? 0 : 100 * mapped / mentioned,
                stats.getOrDefault("extra_target_items_reached", 0.0), stats.getOrDefault("extra_pretrain_examples", 0.0),
                stats.getOrDefault("extra_pretrain_contexts", 0.0),
                stats.getOrDefault("extra_contexts_without_vector", 0.0));
    }

    /** The configured other dataset, checked against the one being trained; empty when none is set. */
    public static Optional<String> configured(CrsConfig config, String dataset) {
        String source = config.get(SETTING, "").strip().toLowerCase(java.util.Locale.ROOT);
        if (source.isEmpty()) {
            return Optional.empty();
        }
        if (source.equals(dataset)) {
            throw new ConfigException(SETTING + "=" + source + " names the dataset being trained itself; it takes"
                    + " the other dataset (e.g. redial when training inspired), or empty for none");
        }
        return Optional.of(source);
    }

    /**
     * The configured other dataset, checked as above and found in the data directory: commands call it before
     * starting anything, since the other dataset is only read after the labelling.
     */
    public static Optional<String> checkData(CrsConfig config, String dataset) {
        Optional<String> source = configured(config, dataset);
        source.ifPresent(s -> {
            try {
                DataDirectory.datasetDir(config, s);
            } catch (ConfigException e) {
                throw new ConfigException(SETTING + "=" + s + " pre-trains on " + s + "'s dialogues, which are not"
                        + " there: " + e.getMessage(), e);
            }
        });
        return source;
    }

    /**
     * The borrowed examples for {@code dataset} from the pipeline's state: the other dataset must have been
     * ingested and its contexts encoded by the same encoder (crs experiment does both for a label variant
     * that sets {@value #SETTING}).
     */
    public static Optional<Result> fromState(CrsConfig config, PipelineState state, String dataset,
            Catalogue catalogue, String encoderId) {
        Optional<String> source = configured(config, dataset);
        if (source.isEmpty()) {
            return Optional.empty();
        }
        List<DialogueContext> train = state.contexts(source.get(), TRAIN);
        if (train.isEmpty()) {
            throw new IllegalStateException("No training dialogues of '" + source.get() + "' in the pipeline, which "
                    + SETTING + "=" + source.get() + " needs: crs experiment ingests and encodes them for a label"
                    + " variant that sets it; elsewhere ingest " + source.get() + " (crs ingest --dataset "
                    + source.get() + ") and let the retriever encode it, or leave " + SETTING + " empty");
        }
        CrossCatalogue mapping = CrossCatalogue.of(state.items(source.get()), state.items(dataset));
        return Optional.of(build(source.get(), train, mapping, catalogue, id -> state.contextVector(encoderId, id)));
    }

    /**
     * One example per mapped gold item of every training context whose gold maps into {@code catalogue};
     * its mentioned items are mapped too (unmapped ones dropped), so backbones that read mentions see them.
     */
    public static Result build(String source, List<DialogueContext> train, CrossCatalogue mapping,
            Catalogue catalogue, Function<String, float[]> vectorOf) {
        Set<String> mentioned = new HashSet<>();
        Set<String> mapped = new HashSet<>();
        Set<Integer> reached = new HashSet<>();
        List<Example> examples = new ArrayList<>();
        int contexts = 0;
        int withoutVector = 0;
        for (DialogueContext c : train) {
            int[] gold = positions(c.goldItemIds(), mapping, catalogue, mentioned, mapped, reached);
            int[] before = positions(c.mentionedInOrder(), mapping, catalogue, mentioned, mapped, reached);
            if (gold.length == 0) {
                continue;
            }
            float[] v = vectorOf.apply(c.contextId());
            if (v == null) {
                withoutVector++;
                continue;
            }
            contexts++;
            for (int p : gold) {
                examples.add(new Example(v, p, before));
            }
        }
        return new Result(source, List.copyOf(examples), mentioned.size(), mapped.size(), reached.size(), contexts,
                withoutVector);
    }

    /** Catalogue positions of the items' counterparts, in order, each once; counts every item seen on the way. */
    private static int[] positions(List<String> sourceIds, CrossCatalogue mapping, Catalogue catalogue,
            Set<String> mentioned, Set<String> mapped, Set<Integer> reached) {
        Set<Integer> out = new LinkedHashSet<>();
        for (String id : sourceIds) {
            mentioned.add(id);
            Optional<String> target = mapping.map(id);
            OptionalInt p = target.isPresent() ? catalogue.position(target.get()) : OptionalInt.empty();
            if (p.isPresent()) {
                mapped.add(id);
                reached.add(p.getAsInt());
                out.add(p.getAsInt());
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
