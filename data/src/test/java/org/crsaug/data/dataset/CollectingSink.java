package org.crsaug.data.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;

/** Keeps everything a reader emits and notices an item that arrives after a dialogue. */
final class CollectingSink implements DatasetSink {

    final List<Item> items = new ArrayList<>();
    final List<Dialogue> dialogues = new ArrayList<>();
    final List<ParseFailure> failures = new ArrayList<>();
    boolean itemAfterDialogue;

    @Override
    public void item(Item item) {
        if (!dialogues.isEmpty()) {
            itemAfterDialogue = true;
        }
        items.add(item);
    }

    @Override
    public void dialogue(Dialogue dialogue) {
        dialogues.add(dialogue);
    }

    @Override
    public void failure(ParseFailure failure) {
        failures.add(failure);
    }

    Map<String, Item> itemsById() {
        return items.stream().collect(Collectors.toMap(Item::getItemId, Function.identity()));
    }

    Map<String, Dialogue> dialoguesById() {
        return dialogues.stream().collect(Collectors.toMap(Dialogue::getDialogueId, Function.identity()));
    }

    Map<String, Long> dialoguesBySplit() {
        return dialogues.stream().collect(Collectors.groupingBy(Dialogue::getSplit, Collectors.counting()));
    }
}
