package org.crsaug.scorer;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.crsaug.schema.Item;
import org.crsaug.schema.Judgement;

/**
 * What a judge may look up besides the candidates record: item descriptions (from the compacted
 * items topic) and earlier paid judgements (from the compacted judgements topic). Read-only, so a
 * judge cannot change what other records see.
 */
public interface JudgeInputs {

    /**
     * A context's vector and the items it mentioned, handed over by whoever asks for the judgement, for judges
     * that read vectors (the student): a dialogue that {@code crs evaluate} read from a file is on no topic.
     */
    record ContextVector(String encoderId, float[] vector, List<String> mentioned) {
    }

    Optional<Item> item(String itemId);

    Optional<Judgement> cached(String cacheKey);

    /** The caller's vector of this context, if it gave one; otherwise a judge looks it up on the topics. */
    default Optional<ContextVector> context(String contextId) {
        return Optional.empty();
    }

    /**
     * Hands judgements to the cache the moment they are paid for, before the context's transaction
     * commits: a crash or an aborted transaction then loses the scores but not the money spent on
     * them. Called from the judge's own threads, so implementations are thread-safe.
     */
    default void remember(List<Judgement> paid) {
    }

    static JudgeInputs of(Map<String, Item> items, Map<String, Judgement> cache) {
        return of(items::get, cache::get, paid -> { });
    }

    /**
     * Lookups by id (null for none, as a map or a state store answers) and what to do with paid judgements.
     */
    static JudgeInputs of(Function<String, Item> items, Function<String, Judgement> cache,
            Consumer<List<Judgement>> remember) {
        return of(items, cache, remember, contextId -> null);
    }

    /** These inputs, with the caller's vectors of the given contexts. */
    default JudgeInputs withContexts(Map<String, ContextVector> vectors) {
        return of(itemId -> item(itemId).orElse(null), cacheKey -> cached(cacheKey).orElse(null), this::remember,
                vectors::get);
    }

    private static JudgeInputs of(Function<String, Item> items, Function<String, Judgement> cache,
            Consumer<List<Judgement>> remember, Function<String, ContextVector> contexts) {
        return new JudgeInputs() {
            @Override
            public Optional<Item> item(String itemId) {
                return Optional.ofNullable(items.apply(itemId));
            }

            @Override
            public Optional<Judgement> cached(String cacheKey) {
                return Optional.ofNullable(cache.apply(cacheKey));
            }

            @Override
            public Optional<ContextVector> context(String contextId) {
                return Optional.ofNullable(contexts.apply(contextId));
            }

            @Override
            public void remember(List<Judgement> paid) {
                remember.accept(paid);
            }
        };
    }

    static JudgeInputs none() {
        return of(Map.of(), Map.of());
    }
}
