package org.crsaug.data.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.crsaug.platform.config.ConfigException;

/**
 * Where an export goes. A directory that already holds files is refused unless {@code force} is given, so an
 * export never mixes with an earlier one's files (with {@code force}, files of the same name are replaced and
 * others are left alone). Each file is written beside its target and moved into place, so a reader never
 * sees half a file.
 */
public final class ExportDirectory {

    private ExportDirectory() {
    }

    /** Checks the directory before any work is done; creates it when missing. */
    public static void prepare(Path dir, boolean force) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ConfigException("--out " + dir + " is a file; name a directory (it is created when missing)");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ConfigException("cannot create --out directory " + dir + " (" + reason(e) + "); choose a writable"
                    + " place");
        }
        if (!Files.isWritable(dir)) {
            throw new ConfigException("--out directory " + dir + " is not writable; choose another or fix its"
                    + " permissions");
        }
        if (!force) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new ConfigException("--out directory " + dir + " is not empty; choose an empty or new one,"
                            + " or pass --force to replace the files an export writes there");
                }
            } catch (IOException e) {
                throw new ConfigException("cannot list --out directory " + dir + ": " + reason(e));
            }
        }
    }

    /** What went wrong in words ("Not a directory"), without the exception's class name. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "a file of that name is in the way";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage();
    }

    /** Writes each file as UTF-8 lines ending in \n. */
    public static void write(Path dir, List<ExportFile> files) {
        for (ExportFile f : files) {
            writeLines(dir.resolve(f.name()), f.lines());
        }
    }

    static void writeLines(Path target, List<String> lines) {
        StringBuilder text = new StringBuilder();
        lines.forEach(l -> text.append(l).append('\n'));
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
