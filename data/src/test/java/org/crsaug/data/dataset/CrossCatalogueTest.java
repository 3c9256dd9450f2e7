package org.crsaug.data.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.crsaug.schema.Item;
import org.junit.jupiter.api.Test;

/** Matching one dataset's movies to another's by title and year, as the extra first stage needs. */
class CrossCatalogueTest {

    static Item item(String id, String title, Integer year) {
        return Item.newBuilder().setItemId(id).setDataset(id.substring(0, id.indexOf(':'))).setTitle(title)
                .setYear(year).build();
    }

    private final CrossCatalogue mapping = CrossCatalogue.of(
            List.of(item("redial:1", "The Matrix (1999)", 1999),
                    item("redial:2", "WALL·E (2008)", 2008),
                    item("redial:3", "What's Up, Doc? (1972)", 1972),
                    item("redial:4", "The Mummy (1999)", 1999),
                    item("redial:5", "Never Made (2005)", 2005),
                    item("redial:6", "Why Not%3F  (2019)", 2019),
                    item("redial:7", "Heat", 1995),
                    item("redial:8", "Solaris", null)),
            List.of(item("inspired:a", "the matrix  (1999)", 1999),
                    item("inspired:b", "Wall-E (2008)", 2008),
                    item("inspired:c", "Whats Up Doc (1972)", 1972),
                    item("inspired:d", "The Mummy (2017)", 2017),
                    item("inspired:e", "Heat (1995)", 1995),
                    item("inspired:f", "Solaris (2002)", 2002),
                    item("inspired:g", "Why Not? (2019)", 2019),
                    item("inspired:h", "The Matrix (1999)", 1999)));

    @Test
    void titlesThatDifferOnlyInCaseSpacingOrPunctuationMeetWhenTheYearIsTheSame() {
        // the first of two target items with one title and year keeps it
        assertThat(mapping.map("redial:1")).contains("inspired:a");
        assertThat(mapping.map("redial:2")).contains("inspired:b");
        assertThat(mapping.map("redial:3")).contains("inspired:c");
        // URL escape and double space, as in ReDial's item list
        assertThat(mapping.map("redial:6")).contains("inspired:g");
        // a year known only from the item's field counts as its year
        assertThat(mapping.map("redial:7")).contains("inspired:e");
    }

    @Test
    void anotherYearAMissingYearAnUnknownMovieOrAnUnknownIdMapToNothing() {
        assertThat(mapping.map("redial:4")).isEmpty();
        assertThat(mapping.map("redial:8")).isEmpty();
        assertThat(mapping.map("redial:5")).isEmpty();
        assertThat(mapping.map("redial:999")).isEmpty();
    }
}
