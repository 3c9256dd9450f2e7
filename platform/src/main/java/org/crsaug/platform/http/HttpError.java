package org.crsaug.platform.http;

/**
 * A request a handler refuses on purpose: thrown anywhere below a route, it becomes an answer with
 * this status through the one error mapping in {@link HttpServers}, so handlers never write error
 * bodies themselves. {@code code} is for protocols with their own error numbers (Confluent's
 * {@code error_code}); it is the status where a protocol has none.
 */
public class HttpError extends RuntimeException {

    private final int status;
    private final int code;

    public HttpError(int status, String message) {
        this(status, status, message);
    }

    public HttpError(int status, int code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public int code() {
        return code;
    }
}
