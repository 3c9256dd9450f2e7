package org.crsaug.platform.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/** Confluent's compatibility levels, judged with Avro's own reader/writer rules. */
final class Compatibility {

    /** Confluent's default, and ours: consumers upgraded first can still read older records. */
    static final String DEFAULT_LEVEL = "BACKWARD";

    static final Set<String> LEVELS = Set.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
            "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");

    private Compatibility() {
    }

    /**
     * Problems found when checking {@code candidate} against earlier versions (oldest first) under a
     * Confluent compatibility level; empty means compatible. Non-transitive levels look only at the
     * newest version, as Confluent does.
     */
    static List<String> check(String level, Schema candidate, List<Schema> earlier) {
        if (earlier.isEmpty() || "NONE".equals(level)) {
            return List.of();
        }
        List<Schema> targets = level.endsWith("_TRANSITIVE") ? earlier : List.of(earlier.get(earlier.size() - 1));
        boolean backward = level.startsWith("BACKWARD") || level.startsWith("FULL");
        boolean forward = level.startsWith("FORWARD") || level.startsWith("FULL");
        List<String> problems = new ArrayList<>();
        for (Schema old : targets) {
            if (backward) {
                describeProblems(candidate, old, "new schema cannot read data written with an earlier one",
                        problems);
            }
            if (forward) {
                describeProblems(old, candidate, "an earlier schema cannot read data written with the new one",
                        problems);
            }
        }
        return problems;
    }

    private static void describeProblems(Schema reader, Schema writer, String what, List<String> into) {
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        List<String> details = new ArrayList<>();
        for (Incompatibility i : result.getResult().getIncompatibilities()) {
            details.add(i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")");
        }
        into.add(what + ": " + String.join(", ", details));
    }
}
