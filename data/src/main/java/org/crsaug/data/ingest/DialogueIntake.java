package org.crsaug.data.ingest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.crsaug.data.dataset.DialogueBodies;
import org.crsaug.data.dataset.DialogueBodies.BadRecord;
import org.crsaug.data.dataset.Datasets;
import org.crsaug.data.dataset.TitleIndex;
import org.crsaug.platform.deadletter.DeadLetters;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.IngestedFile;
import org.crsaug.schema.Item;

/**
 * Takes new dialogues in while the pipeline runs: a body (see {@link DialogueBodies}) from
 * {@code crs ingest --file}, a watched directory or {@code POST /api/dialogues} is parsed against the
 * published catalogue and its dialogues, its dead letters and, for a watched file, the file's marker
 * are published in one Kafka transaction. A crash therefore leaves all of them or none, which is what
 * lets the watcher neither repeat nor skip a file.
 *
 * <p>Submissions are serialised (one transaction at a time on one producer); intake is a trickle of
 * human-sized bodies, not the bulk path, which stays {@link Ingestor}.
 */
public final class DialogueIntake implements AutoCloseable {

    /** What happens to the good records of a body that also has bad ones. */
    public enum Policy {
        /** publish the good ones, dead-letter the bad ones: a file's good lines are not held hostage by one typo */
        GOOD_ONES,
        /** publish nothing but the dead letters: a client resubmits the corrected body whole, without duplicates */
        ALL_OR_NOTHING
    }

    /**
     * What to do with a dialogue whose id is already published with other content. Refusing is the default:
     * an intake id is the sender's choice, and a reused one would otherwise overwrite a dialogue (and the
     * labels made from it) without a word; a correction says so explicitly.
     */
    public enum Changed {
        /** a bad record naming the id, where the earlier version came from and how to replace it */
        REFUSE,
        /** publish it; the outcome lists it as replaced */
        REPLACE
    }

    /**
     * @param published ids of the dialogues now on the dialogues topic, in body order (the replaced ones included)
     * @param bad       every bad record, each also on the dead-letters topic
     * @param held      good dialogues not published because the policy was all-or-nothing and a record was bad
     * @param replaced  ids among {@code published} that replaced an earlier, different version
     * @param unchanged ids already published with exactly this content: not sent again, so no stage repeats work
     */
    public record Outcome(DialogueBodies.Shape shape, List<String> published, List<BadRecord> bad, int held,
            List<String> replaced, List<String> unchanged) {
        public boolean clean() {
            return bad.isEmpty();
        }

        /** The one line a person reads, e.g. "3 dialogues published, 1 bad record sent to dead-letters". */
        public String summary() {
            String s = published.size() + (published.size() == 1 ? " dialogue" : " dialogues") + " published";
            if (!replaced.isEmpty()) {
                s += " (" + replaced.size() + " replacing an earlier version: " + Ids.shown(replaced) + ")";
            }
            if (!unchanged.isEmpty()) {
                s += ", " + unchanged.size() + " already published unchanged and not sent again ("
                        + Ids.shown(unchanged) + ")";
            }
            if (!bad.isEmpty()) {
                s += ", " + bad.size() + (bad.size() == 1 ? " bad record" : " bad records") + " sent to dead-letters";
            }
            if (held > 0) {
                s += ", " + held + " good " + (held == 1 ? "one" : "ones") + " not published because the body "
                        + "is taken whole or not at all";
            }
            return s;
        }
    }

    /** Batch framing and headers on top of key and value; a record within this margin may still be refused. */
    private static final int FRAMING_BYTES = 1024;
    private static final Duration CATALOGUE_WAIT = Duration.ofSeconds(30);

    private final Platform platform;
    private final KafkaProducer<String, byte[]> producer;
    private final TopicFollower<Item> items;
    private final Map<String, Item> catalogue = new LinkedHashMap<>();
    private final Map<String, TitleIndex> indexes = new HashMap<>();
    private final TopicFollower<Dialogue> dialogueFollower;
    /** Every published dialogue id with its content's fingerprint, as of the last submission. */
    private final Map<String, Published> publishedDialogues = new HashMap<>();

    /** @param source where the published version came from (a file and line, a request), or null */
    private record Published(String fingerprint, String source) {
    }
    private final int maxRecordBytes;

    /**
     * @param transactionalId stable for a component that must fence its own previous incarnation (a
     *                        directory watcher), unique per process otherwise, since two live producers
     *                        with one id fence each other
     */
    public DialogueIntake(Platform platform, String transactionalId) {
        this.platform = Objects.requireNonNull(platform, "platform");
        this.maxRecordBytes = platform.config().getInt("topic.max.message.bytes") - FRAMING_BYTES;
        this.producer = new KafkaProducer<>(platform.transactionalProducerProps(transactionalId),
                new StringSerializer(), new ByteArraySerializer());
        try {
            // aborts whatever a crashed predecessor with this id left open, before anything is read
            producer.initTransactions();
            this.items = new TopicFollower<>(platform, Topics.ITEMS, transactionalId + "-items");
            this.dialogueFollower = new TopicFollower<>(platform, Topics.DIALOGUES, transactionalId + "-dialogues");
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    /** Parses a body and publishes it under the policy; bad records always go to dead-letters. */
    public synchronized Outcome submit(String body, String dataset, String source, String deadLetterSource,
                                       Policy policy) {
        return submit(body.getBytes(StandardCharsets.UTF_8), dataset, source, deadLetterSource, policy,
                Changed.REFUSE);
    }

    /** As submitted, bytes: a record that is not UTF-8 is a bad record, never published with U+FFFD in it. */
    public synchronized Outcome submit(byte[] body, String dataset, String source, String deadLetterSource,
                                       Policy policy, Changed changed) {
        return publish(parseCanonical(body, canonical(dataset), source), deadLetterSource, policy, changed, null);
    }

    /**
     * Parses a body against the published catalogue without publishing anything, for a caller that
     * publishes the dialogues later with {@link #submit(List, String)} (a benchmark paces them).
     */
    public synchronized DialogueBodies.Parsed parse(String body, String dataset, String source) {
        return parseCanonical(body.getBytes(StandardCharsets.UTF_8), canonical(dataset), source);
    }

    /** Publishes dialogues parsed before (see {@link #parse(String, String, String)}), in one transaction. */
    public synchronized Outcome submit(List<Dialogue> dialogues, String deadLetterSource) {
        return publish(new DialogueBodies.Parsed(DialogueBodies.Shape.LIST, dialogues, List.of()), deadLetterSource,
                Policy.GOOD_ONES, Changed.REFUSE, null);
    }

    /**
     * A watched file: good records, dead letters and the marker in one transaction. Bad records do not
     * make the file retried; they are in dead-letters to be fixed and dropped in again as a new file.
     */
    public synchronized Outcome submitFile(byte[] content, String dataset, String path) {
        String ds = canonical(dataset);
        DialogueBodies.Parsed parsed = parseCanonical(content, ds, path);
        IngestedFile marker = IngestedFile.newBuilder().setSha256(sha256(content)).setDataset(ds)
                .setPath(path).setDialogues(0).setBadRecords(0).setIngestedAtMs(System.currentTimeMillis()).build();
        return publish(parsed, "file:" + path, Policy.GOOD_ONES, Changed.REFUSE, marker);
    }

    /** The marker key of a file's content: the same bytes are one file, whatever they are called. */
    public static String fileKey(String dataset, String sha256) {
        return dataset + ":" + sha256;
    }

    public static String sha256(byte[] content) {
        return org.crsaug.platform.artifact.ArtifactStore.sha256(content);
    }

    /** The dataset as the topics spell it: "Inspired " is inspired, as everywhere else a name is typed. */
    public static String canonical(String dataset) {
        return dataset == null ? "" : dataset.strip().toLowerCase(java.util.Locale.ROOT);
    }

    private DialogueBodies.Parsed parseCanonical(byte[] body, String dataset, String source) {
        if (!Datasets.NAMES.contains(dataset)) {
            throw new IllegalArgumentException("Unknown dataset '" + dataset + "'; expected one of "
                    + String.join(", ", Datasets.NAMES));
        }
        return DialogueBodies.parse(body, dataset, titles(dataset), source);
    }

    /** The catalogue as published now: items ingested after this intake started resolve too. */
    private TitleIndex titles(String dataset) {
        if (items.catchUp(r -> {
            if (r.value() == null) {
                catalogue.remove(r.key());
            } else {
                catalogue.put(r.key(), r.value());
            }
        }, CATALOGUE_WAIT) > 0) {
            indexes.clear();
        }
        TitleIndex index = indexes.computeIfAbsent(dataset, ds -> TitleIndex.of(catalogue.values().stream()
                .filter(i -> i.getDataset().equals(ds)).toList()));
        if (index.size() == 0) {
            // every mention would be "unknown": say what is actually missing
            throw new IllegalStateException("No " + dataset + " items are published yet, so no title can be "
                    + "resolved; run 'crs ingest --dataset " + dataset + "' first");
        }
        return index;
    }

    private Outcome publish(DialogueBodies.Parsed parsed, String deadLetterSource, Policy policy, Changed changed,
                            IngestedFile marker) {
        List<Dialogue> good = new ArrayList<>();
        List<BadRecord> bad = new ArrayList<>(parsed.bad());
        List<byte[]> encoded = new ArrayList<>();
        List<String> replaced = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        Serializer<Dialogue> dialogues = serializer(Topics.DIALOGUES);
        String dialogueTopic = platform.config().topic(Topics.DIALOGUES);
        catchUpPublished();
        for (Dialogue d : parsed.dialogues()) {
            Published earlier = publishedDialogues.get(d.getDialogueId());
            boolean differs = earlier != null && !earlier.fingerprint().equals(fingerprint(d));
            if (earlier != null && !differs) {
                unchanged.add(d.getDialogueId());
                continue;
            }
            if (differs && changed == Changed.REFUSE) {
                bad.add(new BadRecord(positionOf(d), "dialogue " + d.getDialogueId(), "a different dialogue is "
                        + "already published under this id" + (earlier.source() == null ? "" : " (from "
                        + earlier.source() + ")") + "; give this one a new id, or replace the published one on"
                        + " purpose (crs ingest --file F --replace; POST /api/dialogues?replace=true)", d.toString()));
                continue;
            }
            byte[] value = dialogues.serialize(dialogueTopic, d);
            if (value.length > maxRecordBytes) {
                // in a transaction a refused send would abort the whole body: refuse it here instead
                bad.add(new BadRecord(positionOf(d), "dialogue " + d.getDialogueId(), "the dialogue is "
                        + value.length + " bytes, over the " + maxRecordBytes + " a record may have "
                        + "(topic.max.message.bytes less " + FRAMING_BYTES + " for framing); split it or raise "
                        + "topic.max.message.bytes", d.toString()));
            } else {
                good.add(d);
                encoded.add(value);
                if (differs) {
                    replaced.add(d.getDialogueId());
                }
            }
        }
        boolean publishGood = bad.isEmpty() || policy == Policy.GOOD_ONES;
        List<String> published = new ArrayList<>();
        inTransaction(() -> {
            if (publishGood) {
                for (int i = 0; i < good.size(); i++) {
                    producer.send(new ProducerRecord<>(dialogueTopic, good.get(i).getDialogueId(), encoded.get(i)));
                    published.add(good.get(i).getDialogueId());
                }
            }
            for (BadRecord b : bad) {
                sendDeadLetter(deadLetterSource, b.position(), b.where() + ": " + b.reason(), b.raw());
            }
            if (marker != null) {
                marker.setDialogues(published.size());
                marker.setBadRecords(bad.size());
                send(Topics.INGESTED_FILES, fileKey(marker.getDataset(), marker.getSha256()), marker);
            }
        });
        if (publishGood) {
            // what this body published counts at once: the same body again is unchanged, not new
            for (Dialogue d : good) {
                publishedDialogues.put(d.getDialogueId(), new Published(fingerprint(d), d.getSource()));
            }
        }
        return new Outcome(parsed.shape(), published, bad, publishGood ? 0 : good.size(),
                publishGood ? replaced : List.of(), unchanged);
    }

    /** The published dialogues as of now, including those other intakes and ingests published meanwhile. */
    private void catchUpPublished() {
        dialogueFollower.catchUp(r -> {
            if (r.value() == null) {
                publishedDialogues.remove(r.key());
            } else {
                publishedDialogues.put(r.key(), new Published(fingerprint(r.value()), r.value().getSource()));
            }
        }, CATALOGUE_WAIT);
    }

    /**
     * The content of a dialogue without where it was read from: the same dialogue sent from another file, or
     * from the dataset and then a file, is unchanged.
     */
    public static String fingerprint(Dialogue d) {
        Dialogue content = Dialogue.newBuilder(d).setSource(null).build();
        return sha256(content.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A body refused before it was parsed (too large to read): the refusal is on record all the same. */
    public synchronized void refuse(String deadLetterSource, String reason, String raw) {
        inTransaction(() -> sendDeadLetter(deadLetterSource, 1, reason, raw));
    }

    private void sendDeadLetter(String source, long position, String reason, String raw) {
        DeadLetter letter = Ingestor.letter(source, position, reason, null, raw);
        send(Topics.DEAD_LETTERS, DeadLetters.key(letter), letter);
    }

    /** Everything sent by {@code sends} is committed together, or nothing is. */
    private void inTransaction(Runnable sends) {
        try {
            producer.beginTransaction();
            sends.run();
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw new IllegalStateException("Another intake with the same transactional id took over (a second "
                    + "'crs ingest --watch' on this directory?); this one stops", e);
        } catch (KafkaException e) {
            abortQuietly(e);
            throw new IllegalStateException("Could not publish to Kafka at " + platform.bootstrapServers()
                    + ", nothing of this body was published: " + DeadLetters.describe(e), e);
        }
    }

    private static long positionOf(Dialogue d) {
        String source = d.getSource();
        int colon = source == null ? -1 : source.lastIndexOf(':');
        try {
            return colon < 0 ? 1 : Long.parseLong(source.substring(colon + 1));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private <V extends SpecificRecord> void send(TopicSpec<V> spec, String key, V value) {
        String topic = platform.config().topic(spec);
        producer.send(new ProducerRecord<>(topic, key, serializer(spec).serialize(topic, value)));
    }

    private <V extends SpecificRecord> Serializer<V> serializer(TopicSpec<V> spec) {
        return platform.valueSerde(spec).serializer();
    }

    private void abortQuietly(KafkaException cause) {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        items.close();
        dialogueFollower.close();
        producer.close(Duration.ofSeconds(5));
    }
}
