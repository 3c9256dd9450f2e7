package org.crsaug.model.encoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.crsaug.platform.artifact.AtomicFiles;

/**
 * A bundled encoder's ONNX graph and tokenizer as files in the model cache. They ship as resources
 * of a langchain4j jar, but ONNX Runtime and the Rust tokenizer only open real files.
 *
 * Public so that {@code crs bench all} can open the very same graph file in a bare ONNX Runtime session.
 *
 * @param modelDigest hex SHA-256 of the graph, so an encoder id can change whenever the graph does
 */
public record BundledModelFiles(Path model, Path tokenizer, String modelDigest) {

    public static BundledModelFiles extract(OnnxModelSpec spec, Path cacheDir) {
        Path dir = cacheDir.resolve(spec.name() + "-q");
        try {
            Files.createDirectories(dir);
            Path model = dir.resolve("model.onnx");
            String digest = materialise(spec.modelResource(), model, spec.artifact());
            Path tokenizer = dir.resolve("tokenizer.json");
            materialise(spec.tokenizerResource(), tokenizer, spec.artifact());
            return new BundledModelFiles(model, tokenizer, digest);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare encoder files in " + dir, e);
        }
    }

    /**
     * Writes a classpath resource to {@code target} unless an identical copy is already there.
     * Writing goes through a temporary sibling and a rename so a concurrent reader or a crash
     * never leaves a half-written model behind.
     *
     * @param artifact the Maven artifact that ships the resource, named when it is missing
     * @return hex SHA-256 of the resource
     */
    static String materialise(String resource, Path target, String artifact) throws IOException {
        byte[] bytes;
        try (InputStream in = BundledModelFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("Resource " + resource + " is not on the classpath; is " + artifact
                        + " a dependency?");
            }
            bytes = in.readAllBytes();
        }
        String digest = sha256(bytes);
        if (Files.isRegularFile(target) && Files.size(target) == bytes.length
                && digest.equals(sha256(Files.readAllBytes(target)))) {
            return digest;
        }
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            AtomicFiles.replace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return digest;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
