package org.crsaug.data.dataset;

import java.util.Objects;

/**
 * A record of a source file that could not be turned into an item or dialogue. The raw line is kept
 * whole so that an operator can fix it and submit it again without going back to the file.
 *
 * @param file       the file it came from, as the reader was given it
 * @param lineNumber 1-based line in that file
 * @param reason     what was wrong, precise enough to fix the line without reading the parser
 * @param rawLine    the complete offending line (or, for whole-file JSON catalogues, the entry)
 */
public record ParseFailure(String file, long lineNumber, String reason, String rawLine) {

    public ParseFailure {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(rawLine, "rawLine");
        if (lineNumber < 1) {
            throw new IllegalArgumentException("lineNumber is 1-based, got " + lineNumber);
        }
    }

    @Override
    public String toString() {
        return file + ":" + lineNumber + ": " + reason;
    }
}
