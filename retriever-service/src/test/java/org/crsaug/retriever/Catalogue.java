package org.crsaug.retriever;

import java.util.List;
import org.crsaug.schema.Item;

/** A handful of clearly themed films for retriever tests. */
final class Catalogue {

    static final Item HAUNTED = item("t:1", "The Haunting Hour", List.of("Horror"),
            "A family moves into a haunted house where a vengeful ghost terrorises them every night.");
    static final Item ZOMBIES = item("t:2", "Dead Streets", List.of("Horror"),
            "Survivors fight off flesh-eating zombies in a city overrun by the undead.");
    static final Item ROMANCE = item("t:3", "Paris in Spring", List.of("Romance"),
            "Two strangers fall in love during a week in Paris and must choose between love and career.");
    static final Item SPACE = item("t:4", "Orbit", List.of("Sci-Fi"),
            "Astronauts aboard a damaged space station fight to return to Earth.");
    static final Item CARTOON = item("t:5", "Barnyard Pals", List.of("Animation", "Family"),
            "Talking farm animals go on a funny adventure to save their farm; fun for kids.");
    static final Item COURTROOM = item("t:6", "The Verdict Room", List.of("Drama"),
            "A lawyer defends an innocent man in a tense murder trial.");

    static final List<Item> ALL = List.of(HAUNTED, ZOMBIES, ROMANCE, SPACE, CARTOON, COURTROOM);

    private Catalogue() {
    }

    static Item item(String id, String title, List<String> genres, String plot) {
        return Item.newBuilder().setItemId(id).setDataset("t").setTitle(title).setGenres(genres).setPlot(plot)
                .setHasMetadata(true).build();
    }
}
