package org.crsaug.data.dataset;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.crsaug.schema.Item;

/**
 * Resolves what a person typed ("knives out", "Knives Out (2019)", "inspired:123") to an item id.
 *
 * <p>Matching ignores case, spacing and punctuation. A title typed without a year matches only when
 * exactly one movie carries that title, so "The Mummy" stays unresolved while 1999 and 2017 both exist;
 * a title typed with a year never falls back to a movie of another year.
 */
public final class TitleIndex implements Function<String, Optional<String>> {

    private static final String AMBIGUOUS = "\u0000ambiguous";

    private final Set<String> itemIds = new HashSet<>();
    private final Map<String, String> byTitle = new HashMap<>();
    private final Map<String, String> byYearlessTitle = new HashMap<>();
    private final Map<String, String> byBareTitle = new HashMap<>();

    private TitleIndex() {
    }

    public static TitleIndex of(Collection<Item> items) {
        TitleIndex index = new TitleIndex();
        items.forEach(index::add);
        return index;
    }

    private void add(Item item) {
        String id = item.getItemId();
        itemIds.add(id);
        String full = Titles.looseKey(item.getTitle());
        if (full.isEmpty()) {
            return;
        }
        // catalogues list some titles twice under different ids; the first one keeps the title
        byTitle.putIfAbsent(full, id);
        if (Titles.year(item.getTitle()) == null) {
            byYearlessTitle.putIfAbsent(full, id);
        }
        String bare = Titles.looseKey(Titles.withoutYear(item.getTitle()));
        String previous = byBareTitle.putIfAbsent(bare, full);
        if (previous != null && !previous.equals(full)) {
            byBareTitle.put(bare, AMBIGUOUS);
        }
    }

    /** @return the item id, or empty when unknown or ambiguous */
    public Optional<String> lookup(String titleOrItemId) {
        if (titleOrItemId == null || titleOrItemId.isBlank()) {
            return Optional.empty();
        }
        String q = titleOrItemId.strip();
        if (itemIds.contains(q)) {
            return Optional.of(q);
        }
        String full = Titles.looseKey(q);
        String id = byTitle.get(full);
        if (id != null) {
            return Optional.of(id);
        }
        if (Titles.year(q) != null) {
            return Optional.ofNullable(byYearlessTitle.get(Titles.looseKey(Titles.withoutYear(q))));
        }
        String fullOfBare = byBareTitle.get(full);
        return fullOfBare == null || fullOfBare.equals(AMBIGUOUS)
                ? Optional.empty() : Optional.ofNullable(byTitle.get(fullOfBare));
    }

    @Override
    public Optional<String> apply(String titleOrItemId) {
        return lookup(titleOrItemId);
    }

    /** Number of distinct item ids indexed. */
    public int size() {
        return itemIds.size();
    }
}
