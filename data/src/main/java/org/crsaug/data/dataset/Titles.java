package org.crsaug.data.dataset;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Title clean-up shared by readers and the title index, so that all of them agree on spelling. */
final class Titles {

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    // only escapes of ASCII punctuation: the ReDial catalogue carries "%3F" and "%22" from URL-encoded
    // sources, while a literal percent sign ("100% Wolf") must survive
    private static final Pattern PERCENT_ESCAPE = Pattern.compile("%([23][0-9A-Fa-f])");
    private static final Pattern YEAR_SUFFIX = Pattern.compile("\\((\\d{4})\\)\\s*$");
    private static final Pattern NOT_ALNUM = Pattern.compile("[^\\p{L}\\p{N}]+");
    // dropped rather than spaced out, so that "whats" and "what's" meet
    private static final Pattern APOSTROPHE = Pattern.compile("['\u2019`]");

    private Titles() {
    }

    /** Display form: escapes decoded, runs of whitespace (e.g. "Police Academy  (1984)") made single. */
    static String clean(String raw) {
        Matcher m = PERCENT_ESCAPE.matcher(raw);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(
                    String.valueOf((char) Integer.parseInt(m.group(1), 16))));
        }
        m.appendTail(sb);
        return WHITESPACE.matcher(sb).replaceAll(" ").strip();
    }

    /** Key that tolerates spacing and case only; used where a looser match could merge distinct titles. */
    static String key(String raw) {
        return clean(raw).toLowerCase(Locale.ROOT);
    }

    /** Key that also ignores punctuation, for user-typed titles. */
    static String looseKey(String raw) {
        String noApostrophes = APOSTROPHE.matcher(key(raw)).replaceAll("");
        return NOT_ALNUM.matcher(noApostrophes).replaceAll(" ").strip();
    }

    static String withoutYear(String title) {
        return YEAR_SUFFIX.matcher(title).replaceFirst("").strip();
    }

    static Integer year(String title) {
        Matcher m = YEAR_SUFFIX.matcher(title);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }
}
