package org.crsaug.common.ingest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.common.dataset.DatasetSink;
import org.crsaug.common.dataset.Datasets;
import org.crsaug.common.dataset.ParseFailure;
import org.crsaug.common.deadletter.DeadLetters;
import org.crsaug.common.platform.Platform;
import org.crsaug.common.store.TopicFollower;
import org.crsaug.common.topic.Topics;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;

/**
 * Publishes items and dialogues. A record equal to what its key already holds is not sent again,
 * so re-ingesting the same files creates no work (and no duplicates) downstream.
 */
public final class Ingestor implements AutoCloseable {

    public static final String STAGE = "ingest";

    /** What one ingestion did. */
    public record Report(int itemsRead, int itemsPublished, int dialoguesRead, int dialoguesPublished,
            int failures) {
    }

    private final Platform platform;
    private final KafkaProducer<String, Item> items;
    private final KafkaProducer<String, Dialogue> dialogues;
    private final KafkaProducer<String, DeadLetter> deadLetters;
    private final Map<String, Item> knownItems = new HashMap<>();
    private final Map<String, Dialogue> knownDialogues = new HashMap<>();

    public Ingestor(Platform platform) {
        this.platform = platform;
        this.items = platform.producer(Topics.ITEMS, "crs-ingest-items");
        this.dialogues = platform.producer(Topics.DIALOGUES, "crs-ingest-dialogues");
        this.deadLetters = platform.producer(Topics.DEAD_LETTERS, "crs-ingest-dead-letters");
        try (TopicFollower<Item> f = new TopicFollower<>(platform, Topics.ITEMS, "crs-ingest-known-items")) {
            f.catchUp(r -> remember(knownItems, r.key(), r.value()), Duration.ofMinutes(2));
        }
        try (TopicFollower<Dialogue> f = new TopicFollower<>(platform, Topics.DIALOGUES, "crs-ingest-known-dialogues")) {
            f.catchUp(r -> remember(knownDialogues, r.key(), r.value()), Duration.ofMinutes(2));
        }
    }

    private static <V> void remember(Map<String, V> map, String key, V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    /** Reads a dataset directory and publishes what changed; bad lines become dead letters. */
    public Report ingestDataset(String dataset, Path datasetDir) {
        int[] counts = new int[5];
        Datasets.read(dataset, datasetDir, new DatasetSink() {
            @Override
            public void item(Item item) {
                counts[0]++;
                if (publishItem(item)) {
                    counts[1]++;
                }
            }

            @Override
            public void dialogue(Dialogue dialogue) {
                counts[2]++;
                if (publishDialogue(dialogue)) {
                    counts[3]++;
                }
            }

            @Override
            public void failure(ParseFailure failure) {
                counts[4]++;
                deadLetter(failure);
            }
        });
        flush();
        return new Report(counts[0], counts[1], counts[2], counts[3], counts[4]);
    }

    public boolean publishItem(Item item) {
        if (item.equals(knownItems.get(item.getItemId()))) {
            return false;
        }
        knownItems.put(item.getItemId(), item);
        items.send(new ProducerRecord<>(platform.config().topic(Topics.ITEMS), item.getItemId(), item));
        return true;
    }

    public boolean publishDialogue(Dialogue dialogue) {
        if (dialogue.equals(knownDialogues.get(dialogue.getDialogueId()))) {
            return false;
        }
        knownDialogues.put(dialogue.getDialogueId(), dialogue);
        dialogues.send(new ProducerRecord<>(platform.config().topic(Topics.DIALOGUES), dialogue.getDialogueId(),
                dialogue));
        return true;
    }

    public void deadLetter(ParseFailure failure) {
        DeadLetter letter = DeadLetters.fromFileLine(failure.file(), failure.lineNumber(), STAGE, failure.reason(),
                failure.rawLine());
        deadLetters.send(new ProducerRecord<>(platform.config().topic(Topics.DEAD_LETTERS), DeadLetters.key(letter),
                letter));
    }

    /** The catalogue as published, for resolving titles in new dialogues. */
    public Map<String, Item> knownItems() {
        return java.util.Collections.unmodifiableMap(knownItems);
    }

    public void flush() {
        items.flush();
        dialogues.flush();
        deadLetters.flush();
    }

    @Override
    public void close() {
        flush();
        items.close(Duration.ofSeconds(5));
        dialogues.close(Duration.ofSeconds(5));
        deadLetters.close(Duration.ofSeconds(5));
    }
}
