package org.crsaug.platform.registry;

import org.crsaug.platform.http.HttpError;

/**
 * The refusals of Confluent's REST protocol with its statuses and {@code error_code}s, in one list
 * because Confluent clients branch on the codes (40401 is "no such subject", not just "404").
 */
final class RegistryErrors {

    private RegistryErrors() {
    }

    static HttpError subjectNotFound(String subject) {
        return new HttpError(404, 40401, "Subject '" + subject + "' not found.");
    }

    static HttpError versionNotFound(int version) {
        return new HttpError(404, 40402, "Version " + version + " not found.");
    }

    static HttpError schemaNotFound(String message) {
        return new HttpError(404, 40403, message);
    }

    static HttpError invalidSchema(String message) {
        return new HttpError(422, 42201, message);
    }

    static HttpError invalidVersion(String ref) {
        return new HttpError(422, 42202, "The specified version '" + ref + "' is not a valid version id."
                + " Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    static HttpError invalidCompatibilityLevel(String message) {
        return new HttpError(422, 42203, message);
    }

    static HttpError incompatible(String message) {
        return new HttpError(409, 409, message);
    }

    static HttpError storeFailed(String message) {
        return new HttpError(500, 50001, message);
    }

    static HttpError storeTimedOut(String message) {
        return new HttpError(500, 50002, message);
    }

    /** Asked before the schema topic was read: answering from an empty state would lose schemas. */
    static HttpError loading() {
        return new HttpError(503, 50003, "The schema registry is still reading its topic; try again shortly");
    }
}
