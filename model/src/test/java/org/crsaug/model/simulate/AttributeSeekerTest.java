package org.crsaug.model.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.crsaug.data.dataset.DatasetSink;
import org.crsaug.data.dataset.Datasets;
import org.crsaug.data.dataset.ParseFailure;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.testkit.DataSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attribute seeker over whole catalogues (ReDial and INSPIRED, synthetic always, the mirror where present):
 * it never says its target's title, in any turn, and what it reveals is true of the target.
 */
class AttributeSeekerTest {

    /** More turns than there are attributes, so every attribute and the "nothing more" line are spoken. */
    private static final int LAST_TURN = 8;

    /**
     * Titles a template, a genre, a person or a plot would say unless masked; added to every catalogue, so the
     * property can fail on the synthetic data too, whose made-up titles never occur in their plots.
     */
    private static final List<Item> TRICKY = List.of(
            tricky("Like (2015)", "Drama", "I like it when she sings.", "Ann Like", "Bo Moe"),
            tricky("Think (2000)", "Think", "People think alike in this town of twenty souls.", "Ann Lee", "Bo Moe"),
            tricky("Comedy (2001)", "Comedy", "A comedy about a comedy club and its owner.", "Cy Fox", "Di Roe"),
            tricky("Tom Hanks (1999)", "Drama", "An actor meets Tom Hanks at a diner and talks.", "Ed Poe", "Tom Hanks"),
            tricky("The Plot (2010)", "Mystery", "The plot thickens when the village priest disappears.", "Al Kay", "Jo Ray"),
            tricky("It (2017)", "Horror", "It follows seven kids through one long summer.", "Andy M", "Bill S"),
            tricky("The Seventies (1975)", "Drama", "Life in the seventies, seen by a family.", "Al Kay", "Jo Ray"));

    private static Item tricky(String title, String genre, String plot, String director, String star) {
        return Item.newBuilder().setItemId("tricky:" + title).setDataset("tricky").setTitle(title)
                .setYear(Integer.valueOf(title.replaceAll("\\D", ""))).setGenres(List.of(genre)).setPlot(plot)
                .setDirectors(List.of(director)).setWriters(List.of()).setStars(List.of(star)).setHasMetadata(true)
                .build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.crsaug.testkit.DataSlices#dataSets")
    void neverSaysTheTitleAndOnlySaysWhatIsTrueOverTheWholeCatalogue(DataSet set) {
        AttributeSeeker seeker = new AttributeSeeker();
        int items = 0;
        int masked = 0;
        List<Item> all = new ArrayList<>(TRICKY);
        for (String dataset : Datasets.NAMES) {
            all.addAll(catalogue(set, dataset));
        }
        for (Item item : all) {
            items++;
            List<String> expected = AttributeSeeker.available(item);
            for (int turn = 2; turn <= LAST_TURN; turn++) {
                SeekerSimulator.Reply reply = seeker.reply(
                        new SeekerSimulator.Request(item.getItemId() + "#ctx", item, List.of(), turn));
                assertThat(reply.valid()).isTrue();
                // an independent check: the title's words, lower-cased, anywhere in the words of the reply
                assertThat(words(reply.text())).as("turn %d for %s", turn, item.getTitle())
                        .doesNotContain(words(withoutYear(item.getTitle())));
                String revealed = turn - 2 < expected.size() ? expected.get(turn - 2) : AttributeSeeker.NOTHING;
                assertThat(reply.revealed()).isEqualTo(revealed);
                if (reply.text().contains("…")) {
                    masked++;
                }
                assertRevealsOnlyTheTruth(item, reply);
            }
        }
        assertThat(items).as("catalogue items read").isGreaterThan(100 + TRICKY.size());
        assertThat(masked).as("replies with something masked").isPositive();
    }

    /** What a reply reveals is the item's own: its genres, its first director or star, its decade. */
    private static void assertRevealsOnlyTheTruth(Item item, SeekerSimulator.Reply reply) {
        String text = reply.text();
        String title = withoutYear(item.getTitle());
        switch (reply.revealed()) {
            case AttributeSeeker.GENRES -> item.getGenres().stream().filter(g -> !words(g).isBlank()
                    && !words(title).contains(words(g).strip()))
                    .forEach(g -> assertThat(text.toLowerCase(Locale.ROOT)).contains(g.strip().toLowerCase(Locale.ROOT)));
            case AttributeSeeker.DIRECTOR -> maybeMasked(text, item.getDirectors().get(0), title);
            case AttributeSeeker.STAR -> maybeMasked(text, item.getStars().get(0), title);
            case AttributeSeeker.DECADE -> assertThat(text).contains(item.getYear() / 10 * 10 + "s");
            case AttributeSeeker.PLOT -> assertThat(text).doesNotContainIgnoringCase(item.getDirectors().isEmpty()
                    ? "\u0000" : item.getDirectors().get(0));
            default -> assertThat(reply.revealed()).isEqualTo(AttributeSeeker.NOTHING);
        }
    }

    /** The name is said, unless it holds the title, which is masked. */
    private static void maybeMasked(String text, String name, String title) {
        if (!words(name).contains(words(title).strip())) {
            assertThat(text).contains(name.strip());
        }
    }

    @Test
    void revealsInOrderSkippingWhatTheItemLacksAndSaysTheSameWordsTwice() {
        Item item = Item.newBuilder().setItemId("x:1").setDataset("x").setTitle("Night Train (1994)").setYear(1994)
                .setGenres(List.of("Thriller")).setPlot(null).setDirectors(List.of()).setWriters(List.of())
                .setStars(List.of("Ada Stone", "Bo Lane")).setHasMetadata(true).build();
        AttributeSeeker seeker = new AttributeSeeker();
        List<String> revealed = new ArrayList<>();
        for (int turn = 2; turn <= 5; turn++) {
            SeekerSimulator.Request request = new SeekerSimulator.Request("e1", item, List.of(), turn);
            SeekerSimulator.Reply reply = seeker.reply(request);
            assertThat(seeker.reply(request)).isEqualTo(reply);
            revealed.add(reply.revealed());
        }
        assertThat(revealed).containsExactly("genres", "star", "decade", "nothing");
        assertThat(seeker.reply(new SeekerSimulator.Request("e1", item, List.of(), 3)).text()).contains("Ada Stone");
    }

    @Test
    void thePlotSentenceLosesTheTitleThePeopleAndOtherProperNames() {
        Item item = Item.newBuilder().setItemId("x:2").setDataset("x").setTitle("Harry Brown (2009)").setYear(2009)
                .setGenres(List.of()).setDirectors(List.of("Daniel Barber")).setWriters(List.of())
                .setStars(List.of("Michael Caine"))
                .setPlot("Retired marine Harry Brown, played by Michael Caine, cleans up his London estate. Then more.")
                .setHasMetadata(true).build();
        String plot = AttributeSeeker.plotSentence(item);
        assertThat(plot).isEqualTo("Retired marine …, played by …, cleans up his … estate.");
    }

    private static List<Item> catalogue(DataSet set, String dataset) {
        List<Item> items = new ArrayList<>();
        Datasets.read(dataset, set.root().resolve(dataset), new DatasetSink() {
            @Override
            public void item(Item item) {
                items.add(item);
            }

            @Override
            public void dialogue(Dialogue dialogue) {
            }

            @Override
            public void failure(ParseFailure failure) {
            }
        });
        return items;
    }

    private static String withoutYear(String title) {
        return title.replaceAll("\\(\\s*\\d{4}\\s*\\)\\s*$", "").strip();
    }

    /** " word word " in lower case, every other character a separator: "contains" then means whole words. */
    private static String words(String s) {
        String w = java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFD).replaceAll("\\p{M}+", "")
                .toLowerCase(Locale.ROOT).replaceAll("['\u2019`]", "").replaceAll("[^\\p{L}\\p{N}]+", " ").strip();
        return " " + w + " ";
    }
}
