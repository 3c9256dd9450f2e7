package org.crsaug.data.dataset;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a name (a film's title, a person's name) inside free text, word by word and ignoring case,
 * accents and punctuation, and masks it. A simulated seeker must never say its target's title, so every
 * sentence it is given is passed through {@link #mask}; {@link #foundIn} is the same test as a check.
 *
 * <p>Matching is deliberately wide: the year is ignored, and a leading or trailing article is dropped
 * ("The Matrix" is found in "a matrix of lies"), because masking a harmless word costs less than leaking
 * a title; "and" and "&" are skipped. A name made of punctuation only has no words and is never found.
 */
public final class TitleMentions {

    /** What a masked name becomes: no letters or digits, so it can never form a name itself. */
    public static final String MASK = "…";

    // a word: letters and digits, with apostrophes inside ("Ocean's") kept as part of it
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+(?:['\u2019`][\\p{L}\\p{N}]+)*");
    private static final Pattern ACCENTS = Pattern.compile("\\p{M}+");
    private static final Pattern APOSTROPHE = Pattern.compile("['\u2019`]");
    private static final List<String> ARTICLES = List.of("the", "a", "an");
    private static final String AND = "and";

    private final List<String> words;

    private TitleMentions(List<String> words) {
        this.words = words;
    }

    /** A film title as the catalogue spells it, with or without its year. */
    public static TitleMentions ofTitle(String title) {
        List<String> w = words(Titles.withoutYear(Titles.clean(title)));
        // "The Matrix" and catalogue-style "Matrix, The": the article alone is not what names the film
        if (w.size() > 1 && ARTICLES.contains(w.get(0))) {
            w = w.subList(1, w.size());
        }
        if (w.size() > 1 && ARTICLES.contains(w.get(w.size() - 1))) {
            w = w.subList(0, w.size() - 1);
        }
        return new TitleMentions(List.copyOf(w));
    }

    /** Any other name, matched as it is spelt (a person: "Tom Hanks"). */
    public static TitleMentions ofName(String name) {
        return new TitleMentions(words(name));
    }

    /** True when the text holds the name's words one after the other. */
    public boolean foundIn(String text) {
        return !words.isEmpty() && firstMatch(spans(text), 0) >= 0;
    }

    /** The text with every occurrence of the name replaced by {@link #MASK}. */
    public String mask(String text) {
        if (words.isEmpty()) {
            return text;
        }
        List<Span> spans = spans(text);
        StringBuilder out = new StringBuilder();
        int copied = 0;
        int from = 0;
        int at;
        while ((at = firstMatch(spans, from)) >= 0) {
            out.append(text, copied, spans.get(at).start()).append(MASK);
            copied = spans.get(at + words.size() - 1).end();
            from = at + words.size();
        }
        return out.append(text, copied, text.length()).toString();
    }

    private int firstMatch(List<Span> spans, int from) {
        for (int i = from; i + words.size() <= spans.size(); i++) {
            boolean all = true;
            for (int j = 0; j < words.size() && all; j++) {
                all = spans.get(i + j).word().equals(words.get(j));
            }
            if (all) {
                return i;
            }
        }
        return -1;
    }

    private record Span(String word, int start, int end) {
    }

    private static List<Span> spans(String text) {
        List<Span> out = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            String word = normalise(m.group());
            // "Fast & Furious" is also written "fast and furious": "and" is skipped on both sides
            if (!word.equals(AND)) {
                out.add(new Span(word, m.start(), m.end()));
            }
        }
        return out;
    }

    private static List<String> words(String text) {
        return spans(text).stream().map(Span::word).toList();
    }

    /** Lower case, accents and apostrophes dropped: "Amélie" meets "amelie", "Ocean's" meets "oceans". */
    static String normalise(String word) {
        String s = ACCENTS.matcher(Normalizer.normalize(word, Normalizer.Form.NFD)).replaceAll("");
        return APOSTROPHE.matcher(s.toLowerCase(Locale.ROOT)).replaceAll("");
    }
}
