package org.crsaug.evaluator;

import java.util.Locale;
import org.crsaug.common.config.ConfigException;

/**
 * How items already mentioned in the dialogue are treated. STRICT removes them from gold labels and
 * predictions (repeating them would inflate recall); LENIENT keeps both, as some older papers did.
 */
public enum Protocol {
    STRICT, LENIENT;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Protocol parse(String s) {
        for (Protocol p : values()) {
            if (p.configName().equalsIgnoreCase(s.trim())) {
                return p;
            }
        }
        throw new ConfigException("Unknown evaluator.protocol '" + s + "'; use strict or lenient");
    }
}
