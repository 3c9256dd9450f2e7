package org.crsaug.scorer.student;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.crsaug.platform.artifact.ArtifactStore;

/**
 * Versioned student models in the artifact store, one directory per version:
 * {@code student-<teacher>-<hash of the training examples and settings>}. The same examples give the
 * same version, so replicas that train on the same data publish one artifact, not several. Among
 * versions of one teacher and encoder, the one trained on the most examples is the newest.
 */
public final class StudentArtifacts {

    static final String META = "student.properties";
    private final ArtifactStore store;

    /** A published version and what it was trained and measured on. */
    public record Version(String id, Path dir, Properties meta) {
        public int trainExamples() {
            return Integer.parseInt(meta.getProperty("train.examples", "0"));
        }

        public String encoderId() {
            return meta.getProperty("encoder.id");
        }

        public int inputSize() {
            return Integer.parseInt(meta.getProperty("input.size"));
        }

        public int hidden() {
            return Integer.parseInt(meta.getProperty("hidden"));
        }
    }

    public StudentArtifacts(ArtifactStore store) {
        this.store = store;
    }

    public static String versionId(String teacher, List<TeacherExamples.Example> examples, String settings) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(settings.getBytes(StandardCharsets.UTF_8));
            for (TeacherExamples.Example e : examples) {
                md.update((e.contextId() + "|" + e.itemId() + "|" + e.target() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return "student-" + teacher + "-" + HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Version publish(String versionId, StudentModel model, Properties meta) {
        ArtifactStore.Published p = store.publish(versionId, dir -> {
            model.save(dir);
            try (OutputStream out = Files.newOutputStream(dir.resolve(META))) {
                meta.store(out, "crs student model");
            }
        });
        return read(Path.of(java.net.URI.create(p.uri()))).orElseThrow();
    }

    /** The version trained on the most examples for this teacher (and encoder, when given). */
    public Optional<Version> newest(String teacher, String encoderId) {
        Path root = store.root();
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("student-" + teacher + "-"))
                    .map(StudentArtifacts::read).flatMap(Optional::stream)
                    .filter(v -> encoderId == null || encoderId.equals(v.encoderId()))
                    .max(java.util.Comparator.comparingInt(Version::trainExamples)
                            .thenComparing(Version::id));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list student versions under " + root, e);
        }
    }

    private static Optional<Version> read(Path dir) {
        Path meta = dir.resolve(META);
        if (!Files.isRegularFile(meta)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + meta, e);
        }
        return Optional.of(new Version(dir.getFileName().toString(), dir, p));
    }
}
