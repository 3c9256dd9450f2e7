package org.crsaug.data.dataset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Text that people hand in (a file, standard input, a request body) is UTF-8 or refused with where it is
 * not. Java's usual readers either throw a bare {@code MalformedInputException} or replace the bad bytes
 * with U+FFFD; the first is a stack trace to the user, the second publishes a corrupted title without a word.
 * A leading byte-order mark is dropped everywhere alike.
 */
public final class Utf8Text {

    private static final String FIX = "save it as UTF-8 (e.g. iconv -f latin1 -t utf-8)";

    private Utf8Text() {
    }

    /** @throws IllegalArgumentException naming {@code what}, the line, the column and the byte */
    public static String decode(byte[] bytes, String what) {
        Optional<String> problem = problem(bytes);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(what + " is not valid UTF-8: " + problem.get() + "; " + FIX);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** Where the first byte that is not UTF-8 stands ("line 3, column 17: byte 0xE9"); empty when all is. */
    public static Optional<String> problem(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(Math.max(16, bytes.length));
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (!r.isError()) {
            return Optional.empty();
        }
        int at = in.position();
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at; i++) {
            if (bytes[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return Optional.of(String.format(Locale.ROOT, "line %d, byte %d of the line: 0x%02X", line, at - lineStart + 1,
                bytes[at] & 0xFF));
    }

    /** The bytes with every undecodable sequence as U+FFFD: only to show a refused record as it came. */
    public static String lossy(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * A file a person named, decoded strictly.
     *
     * @throws IllegalArgumentException for a missing file, a directory, an unreadable file or bytes that are not UTF-8
     */
    public static String readFile(Path file) {
        return decode(readBytes(file), file.toString());
    }

    /** @throws IllegalArgumentException for a missing file, a directory or an unreadable file, saying which */
    public static byte[] readBytes(Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + " is a directory; name a file");
        }
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("No such file: " + file.toAbsolutePath());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage());
        }
    }
}
