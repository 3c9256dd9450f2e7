package org.crsaug.data.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.export.LabelSnapshot.LabelledContext;
import org.crsaug.schema.Turn;

/** {@code --format jsonl}: one line per labelled context with its turns, gold items and augmented items. */
final class JsonlLabels {

    private JsonlLabels() {
    }

    static List<ExportFile> files(LabelSnapshot snapshot) {
        List<String> lines = new ArrayList<>();
        for (LabelledContext c : snapshot.contexts()) {
            lines.add(LabelJson.line(record(snapshot, c)));
        }
        return List.of(new ExportFile(snapshot.dataset() + "-labels.jsonl", lines));
    }

    static ObjectNode record(LabelSnapshot snapshot, LabelledContext c) {
        DialogueContext ctx = c.context();
        ObjectNode o = LabelJson.NODES.objectNode();
        o.put("dialogueId", ctx.dialogueId());
        o.put("contextId", ctx.contextId());
        o.put("split", ctx.split());
        ArrayNode turns = o.putArray("turns");
        for (Turn t : ctx.history()) {
            ObjectNode turn = turns.addObject();
            turn.put("role", t.getRole().name());
            turn.put("text", t.getText());
            turn.set("items", LabelJson.strings(t.getMentionedItemIds()));
        }
        ArrayNode gold = o.putArray("gold");
        for (String id : ctx.goldItemIds()) {
            gold.addObject().put("itemId", id).put("title", snapshot.title(id));
        }
        o.set("augmented", LabelJson.augmented(snapshot, c));
        o.put("judge", c.labels().getJudgeId());
        o.put("judgeVersion", c.labels().getJudgeVersion());
        o.put("threshold", c.labels().getThreshold());
        o.put("candidateCount", c.labels().getCandidateCount());
        o.put("encoder", c.encoderId());
        return o;
    }
}
