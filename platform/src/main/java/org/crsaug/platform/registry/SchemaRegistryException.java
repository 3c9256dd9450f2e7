package org.crsaug.platform.registry;

/** A registry call failed; the message names the registry, the call and its answer. */
public class SchemaRegistryException extends RuntimeException {
    private final int status;

    public SchemaRegistryException(String message, int status) {
        super(message);
        this.status = status;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.status = -1;
    }

    /** HTTP status, or -1 when none came back. */
    public int status() {
        return status;
    }
}
