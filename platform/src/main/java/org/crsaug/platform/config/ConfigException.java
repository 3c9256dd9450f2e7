package org.crsaug.platform.config;

/** A configuration problem whose message tells the user how to fix it. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
