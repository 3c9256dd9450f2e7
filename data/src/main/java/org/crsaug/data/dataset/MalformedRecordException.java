package org.crsaug.data.dataset;

/**
 * One source record is unusable. Checked so that the readers cannot forget to turn it into a
 * {@link ParseFailure} and carry on; {@link DialogueJson} turns it into an IllegalArgumentException.
 */
final class MalformedRecordException extends Exception {

    MalformedRecordException(String reason) {
        super(reason, null, false, false);
    }
}
