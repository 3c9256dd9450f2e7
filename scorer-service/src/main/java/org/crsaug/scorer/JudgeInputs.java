package org.crsaug.scorer;

import java.util.Map;
import java.util.Optional;
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

    static JudgeInputs of(Map<String, Item> items, Map<String, Judgement> cache) {
        return new JudgeInputs() {
            @Override
            public Optional<Item> item(String itemId) {
                return Optional.ofNullable(items.get(itemId));
            }

            @Override
            public Optional<Judgement> cached(String cacheKey) {
                return Optional.ofNullable(cache.get(cacheKey));
            }
        };
    }

    static JudgeInputs none() {
        return of(Map.of(), Map.of());
    }
}
