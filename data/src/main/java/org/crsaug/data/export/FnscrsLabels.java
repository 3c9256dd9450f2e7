package org.crsaug.data.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.export.LabelSnapshot.LabelledContext;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Label;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;

/**
 * {@code --format fnscrs}: the lines the UniCRS and BARCOR recommendation scripts of the method's reference code
 * read ({@code context}, {@code resp}, {@code rec}, {@code entity}). Stage one trains on
 * {@code <split>_data_aug.jsonl}, one line per (context, augmented item); stage two on the original lines,
 * {@code <split>_data_processed.jsonl} (the name those scripts open by default), one line per context with its gold
 * items. Items are this system's item ids; {@code items.jsonl} maps each to its title, for building the
 * scripts' {@code entity2id}.
 */
final class FnscrsLabels {

    private FnscrsLabels() {
    }

    static List<ExportFile> files(LabelSnapshot snapshot) {
        Map<String, List<String>> aug = new LinkedHashMap<>();
        Map<String, List<String>> orig = new LinkedHashMap<>();
        snapshot.splits().forEach(s -> orig.put(s, new ArrayList<>()));
        Map<String, Dialogue> dialogues = new HashMap<>();
        snapshot.dialogues().forEach(d -> dialogues.put(d.getDialogueId(), d));
        for (LabelledContext c : snapshot.contexts()) {
            List<String> lines = aug.computeIfAbsent(c.context().split(), s -> new ArrayList<>());
            for (Label l : c.labels().getLabels()) {
                ObjectNode o = line(dialogues.get(c.context().dialogueId()), c.context(), List.of(l.getItemId()));
                o.put("score", l.getScore());
                lines.add(LabelJson.line(o));
            }
        }
        for (Dialogue d : snapshot.dialogues()) {
            for (DialogueContext c : DialogueContexts.derive(d)) {
                orig.get(d.getSplit()).add(LabelJson.line(line(d, c, c.goldItemIds())));
            }
        }
        List<ExportFile> files = new ArrayList<>();
        aug.forEach((split, lines) -> files.add(new ExportFile(split + "_data_aug.jsonl", lines)));
        orig.forEach((split, lines) -> files.add(new ExportFile(split + "_data_processed.jsonl", lines)));
        List<String> items = new ArrayList<>();
        snapshot.items().keySet().stream().sorted().forEach(id -> items.add(LabelJson.line(
                LabelJson.NODES.objectNode().put("itemId", id).put("title", snapshot.title(id)))));
        files.add(new ExportFile("items.jsonl", items));
        return files;
    }

    private static ObjectNode line(Dialogue d, DialogueContext c, List<String> rec) {
        ObjectNode o = LabelJson.NODES.objectNode();
        o.set("context", utterances(c.history()));
        o.put("resp", d.getTurns().get(c.turnIndex()).getText());
        o.set("rec", LabelJson.strings(rec));
        o.set("entity", LabelJson.strings(c.mentionedInOrder()));
        o.put("contextId", c.contextId());
        return o;
    }

    /**
     * The scripts take even positions as the user's and odd ones as the system's and skip empty strings, so an
     * empty string stands in wherever two turns of one role follow each other or the recommender speaks first.
     */
    static ArrayNode utterances(List<Turn> history) {
        ArrayNode out = LabelJson.NODES.arrayNode();
        for (Turn t : history) {
            Role expected = out.size() % 2 == 0 ? Role.SEEKER : Role.RECOMMENDER;
            if (t.getRole() != expected) {
                out.add("");
            }
            out.add(t.getText());
        }
        return out;
    }
}
