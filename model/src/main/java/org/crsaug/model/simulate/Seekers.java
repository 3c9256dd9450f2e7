package org.crsaug.model.simulate;

import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;

/** Picks the seeker {@code simulator.kind} names. */
public final class Seekers {

    private Seekers() {
    }

    public static SeekerSimulator create(CrsConfig config) {
        String kind = config.get("simulator.kind");
        if (kind.equals(AttributeSeeker.NAME)) {
            return new AttributeSeeker();
        }
        // the setting's type already refuses other names; this is for a kind added there but not here
        throw new ConfigException("simulator.kind=" + kind + " is not implemented; use " + AttributeSeeker.NAME);
    }
}
