package org.crsaug.data.ingest;

import java.util.List;

/** Ids in a line a person reads: all of a few, the first ones of many with how many more. */
public final class Ids {

    static final int SHOWN = 10;

    private Ids() {
    }

    public static String shown(List<String> ids) {
        if (ids.size() <= SHOWN) {
            return String.join(", ", ids);
        }
        return String.join(", ", ids.subList(0, SHOWN)) + " and " + (ids.size() - SHOWN) + " more";
    }
}
