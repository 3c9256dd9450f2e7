package org.crsaug.data.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Line-numbered reading of text files. */
public final class Lines {

    @FunctionalInterface
    public interface Handler {
        void line(long lineNumber, String line);
    }

    /** A line that is not UTF-8: {@code raw} shows it with U+FFFD for the bad bytes, never to be published. */
    @FunctionalInterface
    public interface BadLine {
        void line(long lineNumber, String reason, String raw);
    }

    private Lines() {
    }

    /**
     * Reads every line, numbering from 1 and dropping a leading byte-order mark. A line that is not UTF-8
     * goes to {@code bad} and the reading goes on, so one corrupt record cannot hide the rest of the file,
     * and it is never handed on with replacement characters in it.
     */
    public static void forEach(Path file, Handler handler, BadLine bad) {
        try (InputStream in = Files.newInputStream(file)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
            byte[] chunk = new byte[1 << 16];
            long n = 0;
            int read;
            while ((read = in.read(chunk)) != -1) {
                int start = 0;
                for (int i = 0; i < read; i++) {
                    if (chunk[i] == '\n') {
                        line.write(chunk, start, i - start);
                        emit(++n, line, handler, bad);
                        line.reset();
                        start = i + 1;
                    }
                }
                line.write(chunk, start, read - start);
            }
            if (line.size() > 0) {
                emit(++n, line, handler, bad);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void emit(long n, ByteArrayOutputStream buffer, Handler handler, BadLine bad) {
        byte[] bytes = buffer.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        byte[] content = length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length);
        Optional<String> problem = Utf8Text.problem(content);
        if (problem.isPresent()) {
            bad.line(n, "not valid UTF-8 (" + problem.get().replaceFirst("^line 1, ", "") + "); save the file as UTF-8",
                    Utf8Text.lossy(content));
            return;
        }
        String line = new String(content, StandardCharsets.UTF_8);
        if (n == 1 && line.startsWith("\uFEFF")) {
            line = line.substring(1);
        }
        handler.line(n, line);
    }

    static String readAll(Path file) {
        return Utf8Text.readFile(file);
    }
}
