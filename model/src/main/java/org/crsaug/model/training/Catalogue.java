package org.crsaug.model.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The fixed list of items a model scores, in output order. Saved next to a model so that scores
 * can be mapped back to item ids whatever the catalogue looks like later.
 */
public final class Catalogue {

    public static final String FILE_NAME = "items.txt";

    private final List<String> itemIds;
    private final Map<String, Integer> positions = new HashMap<>();

    public Catalogue(List<String> itemIds) {
        this.itemIds = List.copyOf(itemIds);
        for (int i = 0; i < this.itemIds.size(); i++) {
            if (positions.put(this.itemIds.get(i), i) != null) {
                throw new IllegalArgumentException("Duplicate item id in catalogue: " + this.itemIds.get(i));
            }
        }
    }

    public int size() {
        return itemIds.size();
    }

    public String itemId(int position) {
        return itemIds.get(position);
    }

    public OptionalInt position(String itemId) {
        Integer p = positions.get(itemId);
        return p == null ? OptionalInt.empty() : OptionalInt.of(p);
    }

    public List<String> itemIds() {
        return itemIds;
    }

    public void writeTo(Path directory) throws IOException {
        Files.write(directory.resolve(FILE_NAME), itemIds, StandardCharsets.UTF_8);
    }

    public static Catalogue readFrom(Path directory) throws IOException {
        return new Catalogue(Files.readAllLines(directory.resolve(FILE_NAME), StandardCharsets.UTF_8));
    }
}
