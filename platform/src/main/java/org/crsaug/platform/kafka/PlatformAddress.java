package org.crsaug.platform.kafka;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crsaug.platform.artifact.AtomicFiles;

/**
 * The addresses of a platform that stays up ({@code crs up}) for other commands on the same state
 * directory: {@code <state.dir>/platform.json}. Its owner writes it once everything is ready and
 * removes it on a clean shutdown; a file left by a killed owner is recognised as stale because the
 * {@link StateDirLock} is then free, and readers only trust it while the lock is held.
 *
 * @param bootstrapServers the broker, for {@code --bootstrap-servers}
 * @param schemaRegistryUrl the registry, for {@code --schema-registry-url}
 * @param http other HTTP endpoints by name (e.g. {@code recommendations}), for people and scripts
 * @param topics the pipeline topics the owner created (so a guest in the same namespace need not check)
 * @param pid the owner's process id
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PlatformAddress(String bootstrapServers, String schemaRegistryUrl, Map<String, String> http,
        List<String> topics, long pid) {

    public PlatformAddress {
        http = http == null ? Map.of() : Map.copyOf(http);
        // a file written before topics were recorded: the guest checks its topics itself
        topics = topics == null ? List.of() : List.copyOf(topics);
    }

    public static final String FILE_NAME = "platform.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static Path file(Path stateDir) {
        return stateDir.resolve(FILE_NAME);
    }

    /** Writes the file atomically, so a reader never sees half of it. */
    public void write(Path stateDir) {
        Path target = file(stateDir);
        try {
            Path written = Files.writeString(stateDir.resolve(FILE_NAME + ".tmp"),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this), StandardCharsets.UTF_8);
            AtomicFiles.replace(written, target);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file(stateDir), e);
        }
    }

    /** The file's addresses, or empty when there is none. */
    public static Optional<PlatformAddress> read(Path stateDir) {
        Path file = file(stateDir);
        try {
            return Optional.of(JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), PlatformAddress.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + file + " (" + e.getMessage() + "); it is written by"
                    + " crs up: stop that process, delete the file and start crs up again", e);
        }
    }

    public static void delete(Path stateDir) {
        try {
            Files.deleteIfExists(file(stateDir));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + file(stateDir), e);
        }
    }
}
