package org.crsaug.data.export;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Judgement;

/**
 * {@code crs export judgements}: the judgement cache (the compacted {@code judgements} topic, latest value per
 * key) as CSV or JSON lines, chosen by the file's extension, ordered by cache key. The cache keeps no model
 * reasoning (only the score), so there is no column for it.
 */
public final class JudgementExport {

    static final List<String> COLUMNS =
            List.of("cacheKey", "model", "promptVersion", "contextId", "itemId", "score", "judgedAtMs");

    private JudgementExport() {
    }

    /** Checks the target before reading anything; returns how many judgements were written. */
    public static int export(Platform platform, Path out, boolean force) {
        boolean csv = check(out, force);
        Map<String, Judgement> byKey = read(platform);
        ExportDirectory.writeLines(out.toAbsolutePath(), lines(byKey.values(), csv));
        return byKey.size();
    }

    /**
     * Every check that needs no broker; returns whether the file is CSV.
     */
    public static boolean check(Path out, boolean force) {
        boolean csv = csv(out);
        if (Files.exists(out) && !force) {
            throw new ConfigException("--out " + out + " exists; choose a new file or pass --force to replace it");
        }
        Path parent = out.toAbsolutePath().getParent();
        if (Files.isDirectory(out) || parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            throw new ConfigException("cannot write --out " + out + ": its directory must exist and be writable");
        }
        return csv;
    }

    private static Map<String, Judgement> read(Platform platform) {
        Map<String, Judgement> byKey = new TreeMap<>();
        try (TopicFollower<Judgement> f = new TopicFollower<>(platform, Topics.JUDGEMENTS, "crs-export-judgements")) {
            f.catchUp(r -> {
                if (r.key() != null && r.value() != null) {
                    byKey.put(r.key(), r.value());
                } else if (r.key() != null) {
                    byKey.remove(r.key());
                }
            }, Duration.ofMinutes(10));
        }
        return byKey;
    }

    /** CSV for {@code .csv}, JSON lines for {@code .jsonl}; anything else is refused. */
    static boolean csv(Path out) {
        String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return true;
        }
        if (name.endsWith(".jsonl")) {
            return false;
        }
        throw new ConfigException("--out " + out + " must end in .csv or .jsonl (the extension picks the format)");
    }

    static List<String> lines(Iterable<Judgement> judgements, boolean csv) {
        List<String> out = new ArrayList<>();
        if (csv) {
            out.add(String.join(",", COLUMNS));
        }
        for (Judgement j : judgements) {
            if (csv) {
                out.add(String.join(",", cell(j.getCacheKey()), cell(j.getModel()), cell(j.getPromptVersion()),
                        cell(j.getContextId()), cell(j.getItemId()), Float.toString(j.getScore()),
                        Long.toString(j.getJudgedAtMs())));
            } else {
                ObjectNode o = LabelJson.NODES.objectNode();
                o.put("cacheKey", j.getCacheKey()).put("model", j.getModel()).put("promptVersion", j.getPromptVersion())
                        .put("contextId", j.getContextId()).put("itemId", j.getItemId()).put("score", j.getScore())
                        .put("judgedAtMs", j.getJudgedAtMs());
                out.add(LabelJson.line(o));
            }
        }
        return out;
    }

    /** RFC 4180 quoting: a cell with a comma, quote or line break is quoted, its quotes doubled. */
    static String cell(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
