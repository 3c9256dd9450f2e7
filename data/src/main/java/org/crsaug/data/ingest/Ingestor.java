package org.crsaug.data.ingest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.data.dataset.DatasetSink;
import org.crsaug.data.dataset.Datasets;
import org.crsaug.data.dataset.ParseFailure;
import org.crsaug.platform.deadletter.DeadLetters;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;

/**
 * Publishes items and dialogues. A record equal to what its key already holds is not sent again,
 * so re-ingesting the same files creates no work (and no duplicates) downstream.
 */
public final class Ingestor implements AutoCloseable {

    public static final String STAGE = "ingest";

    /**
     * What one ingestion did.
     *
     * @param dialoguesReplaced ids among the published dialogues whose earlier, different version they replaced
     *     (a dataset file edited since it was last ingested); the dataset is the authority on its own ids
     */
    public record Report(int itemsRead, int itemsPublished, int dialoguesRead, int dialoguesPublished,
            int failures, List<String> dialoguesReplaced) {

        /** "; replaced 2 changed dialogues: inspired:train:3, inspired:train:9", or empty when none was. */
        public String replacedNote() {
            return dialoguesReplaced.isEmpty() ? "" : "; replaced " + dialoguesReplaced.size() + " changed "
                    + (dialoguesReplaced.size() == 1 ? "dialogue" : "dialogues") + ": "
                    + Ids.shown(dialoguesReplaced);
        }
    }

    private final Platform platform;
    private final KafkaProducer<String, Item> items;
    private final KafkaProducer<String, Dialogue> dialogues;
    private final KafkaProducer<String, DeadLetter> deadLetters;
    private final Map<String, Item> knownItems = new HashMap<>();
    /** Fingerprint ({@link DialogueIntake#fingerprint}) of every published dialogue by id. */
    private final Map<String, String> knownDialogues = new HashMap<>();
    private final List<String> replaced = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    /** Sends the broker refused (too large, not authorised...): they become dead letters, never silence. */
    private final java.util.Queue<DeadLetter> refused = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final int MAX_KEPT_BYTES = 1 << 20;

    public Ingestor(Platform platform) {
        this.platform = platform;
        this.items = platform.producer(Topics.ITEMS, "crs-ingest-items");
        this.dialogues = platform.producer(Topics.DIALOGUES, "crs-ingest-dialogues");
        this.deadLetters = platform.producer(Topics.DEAD_LETTERS, "crs-ingest-dead-letters");
        try (TopicFollower<Item> f = new TopicFollower<>(platform, Topics.ITEMS, "crs-ingest-known-items")) {
            f.catchUp(r -> remember(knownItems, r.key(), r.value()), Duration.ofMinutes(2));
        }
        try (TopicFollower<Dialogue> f = new TopicFollower<>(platform, Topics.DIALOGUES, "crs-ingest-known-dialogues")) {
            f.catchUp(r -> remember(knownDialogues, r.key(),
                    r.value() == null ? null : DialogueIntake.fingerprint(r.value())), Duration.ofMinutes(2));
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
        try (org.crsaug.platform.metrics.StageMeters.Span span = org.crsaug.platform.metrics.StageMeters.begin(
                org.crsaug.platform.metrics.StageMeters.INGEST)) {
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
            int refusedCount = flush();
            List<String> replacedNow = List.copyOf(replaced);
            replaced.clear();
            span.record();
            return new Report(counts[0], counts[1], counts[2], counts[3] - refusedCount, counts[4] + refusedCount,
                    replacedNow);
        }
    }

    public boolean publishItem(Item item) {
        if (item.equals(knownItems.get(item.getItemId()))) {
            return false;
        }
        knownItems.put(item.getItemId(), item);
        items.send(new ProducerRecord<>(platform.config().topic(Topics.ITEMS), item.getItemId(), item),
                (meta, e) -> {
                    if (e != null) {
                        knownItems.remove(item.getItemId());
                        refused.add(refusal(Topics.ITEMS.baseName(), item.getItemId(), null, item.toString(), e));
                    }
                });
        return true;
    }

    public boolean publishDialogue(Dialogue dialogue) {
        String fingerprint = DialogueIntake.fingerprint(dialogue);
        String earlier = knownDialogues.get(dialogue.getDialogueId());
        if (fingerprint.equals(earlier)) {
            return false;
        }
        if (earlier != null) {
            replaced.add(dialogue.getDialogueId());
        }
        knownDialogues.put(dialogue.getDialogueId(), fingerprint);
        dialogues.send(new ProducerRecord<>(platform.config().topic(Topics.DIALOGUES), dialogue.getDialogueId(),
                dialogue), (meta, e) -> {
                    if (e != null) {
                        knownDialogues.remove(dialogue.getDialogueId());
                        replaced.remove(dialogue.getDialogueId());
                        refused.add(refusal(Topics.DIALOGUES.baseName(), dialogue.getDialogueId(),
                                dialogue.getSource(), dialogue.toString(), e));
                    }
                });
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

    /** Waits for every send; returns how many records the broker refused (each is now a dead letter). */
    public int flush() {
        items.flush();
        dialogues.flush();
        int count = 0;
        DeadLetter letter;
        while ((letter = refused.poll()) != null) {
            deadLetters.send(new ProducerRecord<>(platform.config().topic(Topics.DEAD_LETTERS),
                    DeadLetters.key(letter), letter));
            count++;
        }
        deadLetters.flush();
        return count;
    }

    /**
     * A record the broker would not take. Where it came from a file, the letter points at the line.
     */
    private static DeadLetter refusal(String topic, String key, String source, String text, Exception e) {
        String from = source != null ? "file:" + source : "ingest:" + topic;
        return letter(from, -1, DeadLetters.describe(e) + " (publishing to " + topic + ")",
                key.getBytes(java.nio.charset.StandardCharsets.UTF_8), text);
    }

    /**
     * A dead letter of this stage whose record text is kept up to 1 MB, so the letter itself is never
     * too large to publish; the reason then says where the whole record is.
     */
    static DeadLetter letter(String source, long offset, String reason, byte[] key, String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length > MAX_KEPT_BYTES) {
            bytes = java.util.Arrays.copyOf(bytes, MAX_KEPT_BYTES);
            reason += "; record text truncated to 1 MB, the full record is at its source";
        }
        return DeadLetters.build(source, -1, offset, STAGE, reason, key, bytes);
    }

    @Override
    public void close() {
        flush();
        items.close(Duration.ofSeconds(5));
        dialogues.close(Duration.ofSeconds(5));
        deadLetters.close(Duration.ofSeconds(5));
    }
}
