package org.crsaug.platform.config;

import java.util.Collection;
import java.util.Comparator;

/** The known name closest to a misspelt one, so that an error can say "did you mean ...". */
public final class ClosestName {

    private ClosestName() {
    }

    /** @return the name of {@code known} with the fewest edits from {@code word}; ties go to the first in order */
    public static String to(Collection<String> known, String word) {
        return known.stream().min(Comparator.comparingInt((String k) -> editDistance(k, word)).thenComparing(k -> k))
                .orElseThrow();
    }

    /** Levenshtein distance: insertions, deletions and substitutions each cost one. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitution, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
