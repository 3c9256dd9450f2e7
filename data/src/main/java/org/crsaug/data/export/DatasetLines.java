package org.crsaug.data.export;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.export.LabelSnapshot.LabelledContext;
import org.crsaug.schema.Dialogue;

/**
 * {@code --format redial|inspired}: the dataset's own line format, one file per split named as the dataset
 * reader expects it, with the augmented items of each labelled recommender turn in an added {@code augmented}
 * field (which the readers, and loaders that pick fields by name, step over).
 */
final class DatasetLines {

    /** What the line of one dialogue needs: the dialogue and, per turn index, its labels (or null). */
    interface LineWriter extends BiFunction<Dialogue, Function<Integer, LabelledContext>, String> {
    }

    private DatasetLines() {
    }

    static List<ExportFile> files(LabelSnapshot snapshot, Function<String, String> fileOfSplit, LineWriter writer) {
        Map<String, LabelledContext> labels = snapshot.byContextId();
        Map<String, List<String>> bySplit = new LinkedHashMap<>();
        snapshot.splits().forEach(s -> bySplit.put(s, new ArrayList<>()));
        for (Dialogue d : snapshot.dialogues()) {
            bySplit.get(d.getSplit()).add(writer.apply(d,
                    turn -> labels.get(DialogueContexts.contextId(d.getDialogueId(), turn))));
        }
        List<ExportFile> files = new ArrayList<>();
        bySplit.forEach((split, lines) -> files.add(new ExportFile(fileOfSplit.apply(split), lines)));
        return files;
    }
}
