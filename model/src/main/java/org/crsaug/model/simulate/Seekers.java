package org.crsaug.model.simulate;

import java.util.Map;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;

/** Picks the seeker {@code simulator.kind} names. */
public final class Seekers {

    private Seekers() {
    }

    /** Refuses settings the chosen seeker cannot work with (an LLM seeker without a key), opening nothing. */
    public static void checkSettings(CrsConfig config, Map<String, String> environment) {
        if (kind(config).equals(LlmSeeker.NAME)) {
            LlmSeeker.checkSettings(config, environment);
        }
    }

    /** The seeker; an LLM seeker keeps its cache on {@code platform}. The caller closes it. */
    public static SeekerSimulator create(CrsConfig config, Map<String, String> environment, Platform platform) {
        return switch (kind(config)) {
            case AttributeSeeker.NAME -> new AttributeSeeker();
            case LlmSeeker.NAME -> LlmSeeker.open(config, environment, platform);
            // the setting's type already refuses other names; this is for a kind added there but not here
            default -> throw new ConfigException("simulator.kind=" + kind(config) + " is not implemented");
        };
    }

    private static String kind(CrsConfig config) {
        return config.get("simulator.kind");
    }
}
