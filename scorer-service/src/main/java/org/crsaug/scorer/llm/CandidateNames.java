package org.crsaug.scorer.llm;

import java.text.Normalizer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crsaug.schema.Item;

/**
 * The names under which a batch's candidates are shown to the LLM, and the tolerant way back from
 * whatever name the reply uses to an item id. Only these candidates can ever be matched, so a reply
 * (or a dialogue that steered it) can never score an item that was not shown.
 */
public final class CandidateNames {

    private static final Pattern YEAR = Pattern.compile("\\(\\s*(\\d{4})\\s*\\)\\s*$");
    private static final Pattern NOT_ALNUM = Pattern.compile("[^\\p{L}\\p{N}]+");
    private static final Pattern ACCENTS = Pattern.compile("\\p{M}+");

    private final Map<String, String> shownToItem = new LinkedHashMap<>();
    private final Map<String, String> byExactKey = new HashMap<>();
    private final Map<String, String> byTitleKey = new HashMap<>();
    private final Set<String> ambiguousTitles = new HashSet<>();

    /** Adds a candidate and returns the name to show for it: the title with its year when known. */
    public String add(String itemId, Item item) {
        String title = item.getTitle().strip();
        String shown = YEAR.matcher(title).find() || item.getYear() == null ? title : title + " (" + item.getYear() + ")";
        shownToItem.put(shown, itemId);
        byExactKey.put(key(shown, true), itemId);
        String loose = key(shown, false);
        String previous = byTitleKey.putIfAbsent(loose, itemId);
        if (previous != null && !previous.equals(itemId)) {
            // two candidates share a title (remakes): only a name with the year can tell them apart
            ambiguousTitles.add(loose);
        }
        return shown;
    }

    public Map<String, String> shownToItem() {
        return shownToItem;
    }

    /** The item a reply's name refers to: exact name, then case/punctuation/year-insensitive. */
    public Optional<String> match(String replyName) {
        String exact = shownToItem.get(replyName.strip());
        if (exact != null) {
            return Optional.of(exact);
        }
        String withYear = byExactKey.get(key(replyName, true));
        if (withYear != null) {
            return Optional.of(withYear);
        }
        String loose = key(replyName, false);
        if (ambiguousTitles.contains(loose)) {
            return Optional.empty();
        }
        return Optional.ofNullable(byTitleKey.get(loose));
    }

    static String key(String name, boolean keepYear) {
        String s = Normalizer.normalize(name.strip(), Normalizer.Form.NFD);
        s = ACCENTS.matcher(s).replaceAll("");
        String year = "";
        Matcher m = YEAR.matcher(s);
        if (m.find()) {
            year = m.group(1);
            s = s.substring(0, m.start());
        }
        s = s.toLowerCase(java.util.Locale.ROOT).replace("&", " and ").replace("'", "").replace("\u2019", "");
        s = NOT_ALNUM.matcher(s).replaceAll(" ").strip();
        if (s.startsWith("the ")) {
            s = s.substring(4);
        } else if (s.endsWith(" the")) {
            // catalogue style "Matrix, The"
            s = s.substring(0, s.length() - 4);
        }
        return keepYear && !year.isEmpty() ? s + "|" + year : s;
    }
}
