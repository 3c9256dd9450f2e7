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

    Optional<Item> item(String itemId);

    Optional<Judgement> cached(String cacheKey);

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
            public void remember(List<Judgement> paid) {
                remember.accept(paid);
            }
        };
    }

    static JudgeInputs none() {
        return of(Map.of(), Map.of());
    }
}
