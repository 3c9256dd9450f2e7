package org.crsaug.data.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Line-numbered reading of text files. */
final class Lines {

    @FunctionalInterface
    interface Handler {
        void line(long lineNumber, String line);
    }

    private Lines() {
    }

    /**
     * Reads every line, numbering from 1. Undecodable bytes become U+FFFD instead of aborting, so one
     * corrupt record cannot hide the rest of the file; the JSON parser then reports that line.
     */
    static void forEach(Path file, Handler handler) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            String line;
            long n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (n == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                handler.line(n, line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static String readAll(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
