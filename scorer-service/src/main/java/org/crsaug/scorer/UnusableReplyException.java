package org.crsaug.scorer;

/** A context that could not be judged: the message says why and carries the raw reply, if any. */
public class UnusableReplyException extends RuntimeException {

    public UnusableReplyException(String message) {
        super(message);
    }
}
