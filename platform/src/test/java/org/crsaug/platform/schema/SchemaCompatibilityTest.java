package org.crsaug.platform.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.crsaug.schema.Item;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every committed version of every contract in {@code schemas/} must stay readable by the schema
 * in the working tree (BACKWARD), because topics keep records written with old versions and
 * replays read them with today's classes. Catches an incompatible edit before it is committed.
 */
class SchemaCompatibilityTest {

    @TestFactory
    Stream<DynamicTest> currentSchemasReadEveryCommittedVersion() throws Exception {
        Path root = repoRoot();
        Assumptions.assumeTrue(root != null, "no schemas/ directory above " + Path.of("").toAbsolutePath()
                + ": cannot locate the contracts to check");
        GitResult version = git(root, "--version");
        Assumptions.assumeTrue(version.ok(), "git is not usable here, so schema history cannot be checked: "
                + version.output());
        GitResult inside = git(root, "rev-parse", "--is-inside-work-tree");
        Assumptions.assumeTrue(inside.ok() && inside.output().trim().equals("true"),
                "schemas/ is not inside a git work tree (e.g. a source archive), so there is no history to"
                        + " check against: " + inside.output());

        List<Path> files;
        try (Stream<Path> s = Files.list(root.resolve("schemas"))) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".avsc")).sorted().toList();
        }
        Assumptions.assumeFalse(files.isEmpty(), "schemas/ holds no .avsc files");

        Map<Path, Map<String, String>> history = new LinkedHashMap<>();
        int versions = 0;
        for (Path file : files) {
            String rel = "schemas/" + file.getFileName();
            GitResult log = git(root, "log", "--format=%H", "--", rel);
            if (!log.ok()) {
                Assumptions.abort("git log failed for " + rel + ": " + log.output());
            }
            Map<String, String> old = new LinkedHashMap<>();
            for (String sha : log.output().lines().map(String::trim).filter(l -> !l.isEmpty()).toList()) {
                GitResult show = git(root, "show", sha + ":" + rel);
                if (show.ok()) {
                    old.put(sha, show.output());
                }
            }
            versions += old.size();
            history.put(file, old);
        }
        Assumptions.assumeTrue(versions > 0, "no committed version of any schema (shallow or fresh clone?),"
                + " so there is nothing to check compatibility against");

        // one parser for all of them, in file order, as the build's avro plugin reads them: a schema may use a
        // record another file defines (Evaluation's inputRanges are Checkpoint's OffsetRange)
        Schema.Parser parser = new Schema.Parser();
        Map<Path, Schema> currentByFile = new LinkedHashMap<>();
        Map<Path, java.util.Set<String>> definedByFile = new LinkedHashMap<>();
        for (Path file : files) {
            java.util.Set<String> before = new java.util.HashSet<>(parser.getTypes().keySet());
            currentByFile.put(file, parser.parse(Files.readString(file)));
            java.util.Set<String> defined = new java.util.HashSet<>(parser.getTypes().keySet());
            defined.removeAll(before);
            definedByFile.put(file, defined);
        }
        Map<String, Schema> allTypes = parser.getTypes();
        return history.entrySet().stream().map(e -> DynamicTest.dynamicTest(
                e.getKey().getFileName() + " reads its " + e.getValue().size() + " committed version(s)", () -> {
                    Schema current = currentByFile.get(e.getKey());
                    // an earlier version is read with the other files' types at hand, as it was built
                    Map<String, Schema> others = new LinkedHashMap<>(allTypes);
                    others.keySet().removeAll(definedByFile.get(e.getKey()));
                    assertThat(backwardProblems(current, e.getValue(), others))
                            .as("%s must read data written with every earlier version", e.getKey().getFileName())
                            .isEmpty();
                }));
    }

    @Test
    void detectsAFieldAddedWithoutDefault() {
        String committed = Item.getClassSchema().toString();
        Schema edited = withExtraField(Item.getClassSchema(), "{\"name\":\"rating\",\"type\":\"double\"}");

        List<String> problems = backwardProblems(edited, Map.of("abc1234", committed));

        assertThat(problems).singleElement().asString().contains("abc1234").contains("rating");
    }

    @Test
    void acceptsAFieldAddedWithDefault() {
        Schema edited = withExtraField(Item.getClassSchema(),
                "{\"name\":\"rating\",\"type\":[\"null\",\"double\"],\"default\":null}");

        assertThat(backwardProblems(edited, Map.of("abc1234", Item.getClassSchema().toString()))).isEmpty();
    }

    /** One line per earlier version the current schema cannot read, naming the commit and the reason. */
    static List<String> backwardProblems(Schema current, Map<String, String> earlierBySha) {
        return backwardProblems(current, earlierBySha, Map.of());
    }

    /** @param otherTypes named types defined by other schema files, which an earlier version may use */
    static List<String> backwardProblems(Schema current, Map<String, String> earlierBySha,
            Map<String, Schema> otherTypes) {
        List<String> problems = new ArrayList<>();
        earlierBySha.forEach((sha, text) -> {
            Schema old;
            try {
                old = new Schema.Parser().addTypes(otherTypes).parse(text);
            } catch (RuntimeException e) {
                problems.add(shortSha(sha) + ": committed version does not parse: " + e.getMessage());
                return;
            }
            SchemaCompatibility.SchemaPairCompatibility result =
                    SchemaCompatibility.checkReaderWriterCompatibility(current, old);
            if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
                List<String> why = result.getResult().getIncompatibilities().stream()
                        .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage()).toList();
                problems.add(shortSha(sha) + ": " + String.join("; ", why));
            }
        });
        return problems;
    }

    private static Schema withExtraField(Schema schema, String fieldJson) {
        String text = schema.toString();
        int end = text.lastIndexOf(']');
        return new Schema.Parser().parse(text.substring(0, end) + "," + fieldJson + text.substring(end));
    }

    private static String shortSha(String sha) {
        return sha.length() > 10 ? sha.substring(0, 10) : sha;
    }

    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("schemas"))) {
                return p;
            }
        }
        return null;
    }

    private record GitResult(boolean ok, String output) {
    }

    private static GitResult git(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new GitResult(false, "timed out: " + command);
            }
            return new GitResult(process.exitValue() == 0, new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new GitResult(false, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new GitResult(false, "interrupted");
        }
    }
}
