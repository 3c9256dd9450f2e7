package org.crsaug.data.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Function;
import org.crsaug.data.export.LabelSnapshot.LabelledContext;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Turn;

/**
 * INSPIRED lines: a list of turns ({@code role}, {@code text}, {@code movie}: the titles named), in
 * {@code <split>.jsonl}. The line has no id: dialogues are written in the order of the lines they were read
 * from, so the reader numbers them as before.
 */
final class InspiredLines {

    private InspiredLines() {
    }

    static List<ExportFile> files(LabelSnapshot snapshot) {
        return DatasetLines.files(snapshot, split -> split + ".jsonl", (d, labels) -> line(snapshot, d, labels));
    }

    private static String line(LabelSnapshot snapshot, Dialogue d, Function<Integer, LabelledContext> labels) {
        ArrayNode turns = LabelJson.NODES.arrayNode();
        for (int i = 0; i < d.getTurns().size(); i++) {
            Turn t = d.getTurns().get(i);
            ObjectNode o = turns.addObject();
            o.put("role", t.getRole().name());
            o.put("text", t.getText());
            ArrayNode movies = o.putArray("movie");
            t.getMentionedItemIds().forEach(id -> movies.add(snapshot.title(id)));
            LabelledContext c = labels.apply(i);
            if (c != null) {
                o.set("augmented", LabelJson.augmented(snapshot, c));
            }
        }
        return LabelJson.line(turns);
    }
}
