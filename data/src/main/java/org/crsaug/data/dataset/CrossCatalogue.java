package org.crsaug.data.dataset;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.crsaug.schema.Item;

/**
 * Finds, for an item of one dataset, the same movie in another dataset's catalogue: the two datasets
 * number their movies independently, so the only shared key is the title and its year.
 *
 * <p>Titles are compared with the readers' own loose key ({@link Titles#looseKey}: case, spacing,
 * apostrophes and punctuation ignored, URL escapes decoded), and the year must be equal: a remake with
 * the same title and another year is a different movie, and an item without a year only meets another
 * item without one. When the target lists one title and year twice, the first item keeps it, as in
 * {@link TitleIndex}.
 */
public final class CrossCatalogue {

    private final Map<String, String> targetByKey = new HashMap<>();
    private final Map<String, String> keyBySourceId = new HashMap<>();

    private CrossCatalogue() {
    }

    /** @param source the items whose ids will be mapped; @param target the catalogue they are mapped into */
    public static CrossCatalogue of(Collection<Item> source, Collection<Item> target) {
        CrossCatalogue m = new CrossCatalogue();
        for (Item t : target) {
            String key = key(t);
            if (key != null) {
                m.targetByKey.putIfAbsent(key, t.getItemId());
            }
        }
        for (Item s : source) {
            String key = key(s);
            if (key != null) {
                m.keyBySourceId.put(s.getItemId(), key);
            }
        }
        return m;
    }

    /** The target item that is the same movie; empty for an unknown source id or a movie the target lacks. */
    public Optional<String> map(String sourceItemId) {
        String key = keyBySourceId.get(sourceItemId);
        return key == null ? Optional.empty() : Optional.ofNullable(targetByKey.get(key));
    }

    /** Title without its year, loosely normalised, then the year (from the title, else the item's field). */
    static String key(Item item) {
        String title = Titles.clean(item.getTitle());
        String bare = Titles.looseKey(Titles.withoutYear(title));
        if (bare.isEmpty()) {
            return null;
        }
        Integer year = Titles.year(title);
        if (year == null) {
            year = item.getYear();
        }
        return bare + "|" + (year == null ? "" : year);
    }
}
