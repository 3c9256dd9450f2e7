package org.crsaug.model.encoder;

/** An encoder could not produce vectors: an endpoint that refused or kept failing, or an unusable reply. */
public final class EncoderException extends RuntimeException {

    public EncoderException(String message, Throwable cause) {
        super(message, cause);
    }
}
