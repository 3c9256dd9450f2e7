package org.crsaug.data.dataset;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;

/** Finds the directory that holds the {@code redial/} and {@code inspired/} datasets. */
public final class DataDirectory {

    public static final String KEY = "data.dir";
    /** Tried in order, relative to the working directory, when {@value #KEY} is not set. */
    public static final List<String> DEFAULT_CANDIDATES = List.of("../shared/data", "../../shared/data");

    static final String HOW_TO_SET = "Point " + KEY + " at the directory holding redial/ and inspired/: set "
            + KEY + "=/path/to/data in the --config file, export CRS_DATA_DIR=/path/to/data, or pass --set "
            + KEY + "=/path/to/data.";
    static final String DOWNLOADS = "Official downloads: ReDial from https://redialdata.github.io/website/ "
            + "(redial_dataset.zip: train_data.jsonl, test_data.jsonl, movies_with_mentions.csv; unpack into "
            + "<data.dir>/redial/); INSPIRED from https://github.com/sweetpeach/Inspired (the processed "
            + "train/valid/test.jsonl split into <data.dir>/inspired/). The movie metadata files (redial/id2info.json, "
            + "inspired/id2info.json, inspired/entity2id.json) are the ones described in the data mirror's README.md.";

    private DataDirectory() {
    }

    public static Path resolve(CrsConfig config) {
        return resolve(config, Path.of("").toAbsolutePath());
    }

    /** The working directory is a parameter so the fallback search can be tested. */
    static Path resolve(CrsConfig config, Path workingDir) {
        if (config.has(KEY)) {
            Path dir = toPath(config.get(KEY).strip());
            if (!Files.isDirectory(dir)) {
                throw new ConfigException(KEY + "=" + config.get(KEY) + " is not an existing directory ("
                        + dir.toAbsolutePath() + "). " + HOW_TO_SET + " " + DOWNLOADS);
            }
            return dir;
        }
        for (String candidate : DEFAULT_CANDIDATES) {
            Path dir = workingDir.resolve(candidate).normalize();
            if (Files.isDirectory(dir)) {
                return dir;
            }
        }
        throw new ConfigException(KEY + " is not set and no data directory was found at "
                + DEFAULT_CANDIDATES + " relative to " + workingDir + ". " + HOW_TO_SET + " " + DOWNLOADS);
    }

    /** The directory of one dataset, checked to exist so that a typo fails here rather than mid-ingest. */
    public static Path datasetDir(CrsConfig config, String dataset) {
        String name = Datasets.checkName(dataset);
        Path root = resolve(config);
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("Dataset directory " + dir.toAbsolutePath() + " does not exist; "
                    + KEY + " (" + root.toAbsolutePath() + ") must contain " + name + "/. " + HOW_TO_SET + " "
                    + DOWNLOADS);
        }
        return dir;
    }

    private static Path toPath(String value) {
        try {
            return Path.of(value.startsWith("~/") ? System.getProperty("user.home") + value.substring(1) : value);
        } catch (InvalidPathException e) {
            throw new ConfigException(KEY + "=" + value + " is not a valid path: " + e.getMessage());
        }
    }

    static String lower(String s) {
        return s.strip().toLowerCase(Locale.ROOT);
    }
}
