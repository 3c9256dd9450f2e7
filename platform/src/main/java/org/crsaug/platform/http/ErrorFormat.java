package org.crsaug.platform.http;

import java.util.Map;

/**
 * How one server writes its error answers. The mapping from failures to statuses is shared; only the
 * body shape differs, because each server imitates a protocol its clients already parse.
 *
 * @param contentType of every error answer
 * @param body        the JSON body (anything Jackson can write) for a status, protocol code and message
 */
public record ErrorFormat(String contentType, Body body) {

    /** {@code {"error": "..."}}: what our own APIs answer, readable by a person with curl. */
    public static final ErrorFormat SIMPLE = new ErrorFormat("application/json; charset=utf-8",
            (status, code, message) -> Map.of("error", message));

    @FunctionalInterface
    public interface Body {
        Object of(int status, int code, String message);
    }
}
