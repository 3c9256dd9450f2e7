package org.crsaug.model.simulate;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crsaug.data.context.RetrievalText;
import org.crsaug.data.dataset.TitleMentions;
import org.crsaug.schema.Item;

/**
 * The offline, deterministic seeker: each turn after the first reveals one more true attribute of the
 * target from the catalogue's metadata, in a fixed order (genres, a plot sentence, a director, a star,
 * the decade), skipping those the item lacks; once all are said it has nothing to add. It never lies and
 * never says the title: every sentence goes through {@link TitleMentions#mask} for the target's title
 * before it is returned, templates included (a film called "Like" must not be named by "I'd like").
 *
 * <p>The plot sentence also loses the people the metadata names and any run of capitalised words past
 * the sentence's first word (character and place names, which can give a film away as surely as its
 * title). Phrasings come from small template sets picked by a hash of the episode and turn, so a rerun
 * says the same words.
 */
public final class AttributeSeeker implements SeekerSimulator {

    public static final String NAME = "attributes";
    /** Change it whenever a template or the order changes: it is part of the simulation id. */
    public static final String VERSION = "attributes-v1";

    static final String GENRES = "genres";
    static final String PLOT = "plot";
    static final String DIRECTOR = "director";
    static final String STAR = "star";
    static final String DECADE = "decade";
    static final String NOTHING = "nothing";

    private static final int MAX_PLOT_CHARS = 240;
    // a run of capitalised words: "New York", "Harry Potter", "O'Brien"
    private static final Pattern CAPITALISED_RUN =
            Pattern.compile("\\p{Lu}[\\p{L}'\u2019\\-]*(?:\\s+\\p{Lu}[\\p{L}'\u2019\\-]*)*");

    private static final String[] OPENERS = {"Not that one.", "Hmm, no.", "That's not it.", "No, not quite."};
    private static final String[] GENRE_LINES = {"I'm after %s film.", "It should be %s.", "Think %s."};
    private static final String[] PLOT_LINES = {"The story goes like this: %s", "Here's the plot as I remember it: %s"};
    private static final String[] DIRECTOR_LINES = {"I believe %s directed it.", "It's by the director %s."};
    private static final String[] STAR_LINES = {"%s is in it.", "It has %s in the cast."};
    private static final String[] DECADE_LINES = {"It came out in the %ds.", "It's from the %ds."};
    private static final String[] NOTHING_LINES = {"I can't add much more; something close to what I've said.",
            "That's all I can tell you about it."};

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public Reply reply(Request request) {
        Item target = request.target();
        List<String> attributes = available(target);
        int index = request.turn() - 2;
        String revealed = index >= 0 && index < attributes.size() ? attributes.get(index) : NOTHING;
        int pick = Math.floorMod((request.episodeId() + "#" + request.turn()).hashCode(), 1 << 16);
        String line = switch (revealed) {
            case GENRES -> {
                String template = pick(GENRE_LINES, pick);
                String genres = genres(target);
                // "an action film", "a comedy film"
                yield String.format(Locale.ROOT, template, template.contains("after %s") ? article(genres) + genres
                        : genres);
            }
            case PLOT -> String.format(Locale.ROOT, pick(PLOT_LINES, pick), plotSentence(target));
            case DIRECTOR -> String.format(Locale.ROOT, pick(DIRECTOR_LINES, pick), target.getDirectors().get(0).strip());
            case STAR -> String.format(Locale.ROOT, pick(STAR_LINES, pick), target.getStars().get(0).strip());
            case DECADE -> String.format(Locale.ROOT, pick(DECADE_LINES, pick), target.getYear() / 10 * 10);
            default -> pick(NOTHING_LINES, pick);
        };
        String text = pick(OPENERS, pick / 7) + " " + line;
        return Reply.of(TitleMentions.ofTitle(target.getTitle()).mask(text), revealed);
    }

    /** The attributes this item has, in the order they are revealed. */
    static List<String> available(Item item) {
        List<String> out = new ArrayList<>();
        if (!genreNames(item).isEmpty()) {
            out.add(GENRES);
        }
        if (!plotSentence(item).isEmpty()) {
            out.add(PLOT);
        }
        if (firstNonBlank(item.getDirectors())) {
            out.add(DIRECTOR);
        }
        if (firstNonBlank(item.getStars())) {
            out.add(STAR);
        }
        if (item.getYear() != null && item.getYear() > 0) {
            out.add(DECADE);
        }
        return out;
    }

    private static boolean firstNonBlank(List<String> names) {
        return !names.isEmpty() && !names.get(0).isBlank();
    }

    private static String pick(String[] options, int hash) {
        return options[hash % options.length];
    }

    private static List<String> genreNames(Item item) {
        Set<String> names = new LinkedHashSet<>();
        for (String g : item.getGenres()) {
            if (!g.isBlank()) {
                names.add(g.strip().toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(names);
    }

    private static String article(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ";
    }

    /** "comedy", "comedy and drama", "action, comedy and drama". */
    static String genres(Item item) {
        List<String> g = genreNames(item);
        if (g.size() == 1) {
            return g.get(0);
        }
        return String.join(", ", g.subList(0, g.size() - 1)) + " and " + g.get(g.size() - 1);
    }

    /** The plot's first sentence without the title, the people the metadata names, or other proper names. */
    static String plotSentence(Item item) {
        String sentence = RetrievalText.firstSentence(item.getPlot()).strip();
        if (sentence.isEmpty()) {
            return "";
        }
        List<TitleMentions> people = new ArrayList<>();
        for (List<String> names : List.of(item.getDirectors(), item.getWriters(), item.getStars())) {
            for (String n : names) {
                people.add(TitleMentions.ofName(n));
            }
        }
        sentence = TitleMentions.ofTitle(item.getTitle()).mask(sentence);
        for (TitleMentions p : people) {
            sentence = p.mask(sentence);
        }
        sentence = maskProperNames(sentence);
        if (sentence.length() > MAX_PLOT_CHARS) {
            int cut = sentence.lastIndexOf(' ', MAX_PLOT_CHARS);
            sentence = sentence.substring(0, cut > 0 ? cut : MAX_PLOT_CHARS) + " …";
        }
        return sentence;
    }

    /** Masks capitalised runs, except a lone capitalised first word (a sentence starts with one). */
    static String maskProperNames(String sentence) {
        Matcher m = CAPITALISED_RUN.matcher(sentence);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            boolean first = sentence.substring(0, m.start()).isBlank();
            boolean oneWord = !m.group().contains(" ") && !m.group().contains("\t");
            m.appendReplacement(out, Matcher.quoteReplacement(first && oneWord ? m.group() : TitleMentions.MASK));
        }
        m.appendTail(out);
        return out.toString();
    }
}
