package org.crsaug.testkit;

import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.crsaug.data.ingest.Ingestor;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.schema.Item;

/**
 * Dialogues that arrive after the dataset, for the intake tests ({@code crs ingest --file/--watch},
 * {@code POST /api/dialogues}): a published synthetic INSPIRED catalogue to resolve their titles
 * against, and bodies in each accepted shape.
 */
public final class NewDialogues {

    /** A title no catalogue has: the unknown-item case. */
    public static final String UNKNOWN_TITLE = "No Such Film Ever (1899)";

    private final List<String> titles;

    private NewDialogues(List<String> titles) {
        this.titles = titles;
    }

    /** Publishes a small synthetic INSPIRED slice (items and a few dialogues) to the platform's topics. */
    public static NewDialogues publishCatalogue(Platform platform, Path tmp) throws IOException {
        Path root = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp, Map.of("train", 3, "valid", 1, "test", 1));
        List<String> titles = new ArrayList<>();
        try (Ingestor ingestor = new Ingestor(platform)) {
            ingestor.ingestDataset("inspired", root.resolve("inspired"));
            ingestor.knownItems().values().stream().filter(Item::getHasMetadata).map(Item::getTitle)
                    .sorted().forEach(titles::add);
        }
        return new NewDialogues(titles);
    }

    /**
     * The catalogue already on the platform's items topic (a dataset {@code crs up} ingested), for dialogues
     * that arrive after it.
     */
    public static NewDialogues ofPublishedCatalogue(Platform platform, String dataset) {
        List<String> titles = readNow(platform, org.crsaug.platform.topic.Topics.ITEMS).stream()
                .filter(i -> i.getDataset().equals(dataset) && i.getHasMetadata()).map(Item::getTitle).sorted()
                .toList();
        if (titles.isEmpty()) {
            throw new IllegalStateException("No " + dataset + " items with metadata on the items topic yet");
        }
        return new NewDialogues(titles);
    }

    /** A catalogue title, the n-th in a fixed order. */
    public String title(int n) {
        return titles.get(n % titles.size());
    }

    /** One dialogue in the simple format mentioning {@code title}. */
    public static String simple(String id, String title) {
        return "{\"dialogueId\": \"" + id + "\", \"split\": \"train\", \"turns\": ["
                + "{\"role\": \"SEEKER\", \"text\": \"something like this\", \"items\": [" + TextNode.valueOf(title)
                + "]}, {\"role\": \"RECOMMENDER\", \"text\": \"try it\", \"items\": []}]}";
    }

    /**
     * One train dialogue in the simple format with exactly one context: the seeker asks ({@code request}, make it
     * unique to keep the context's judgements apart), the recommender names {@code title}, the context's gold.
     */
    public static String recommending(String id, String request, String title) {
        return "{\"dialogueId\": \"" + id + "\", \"split\": \"train\", \"turns\": ["
                + "{\"role\": \"SEEKER\", \"text\": " + TextNode.valueOf(request) + ", \"items\": []},"
                + " {\"role\": \"RECOMMENDER\", \"text\": \"you will like this one\", \"items\": ["
                + TextNode.valueOf(title) + "]}]}";
    }

    /** One dialogue as an INSPIRED line (no id: the intake derives one from the content). */
    public static String inspiredLine(String text, String title) {
        return "[{\"text\": " + TextNode.valueOf(text) + ", \"role\": \"SEEKER\", \"movie\": []},"
                + " {\"text\": \"Try it\", \"role\": \"RECOMMENDER\", \"movie\": [" + TextNode.valueOf(title) + "]}]";
    }

    /** A simple-format dialogue without turns: the missing-turns case. */
    public static String withoutTurns(String id) {
        return "{\"dialogueId\": \"" + id + "\"}";
    }

    /**
     * Reads the topic until {@code done} holds for what is on it, and returns that. Needed after every
     * publish: {@code commitTransaction} returns once the commit is decided, and the markers that make
     * the records visible to committed readers reach each partition a little later. A transaction of
     * one producer only begins after its previous one is complete, so a later body visible means every
     * earlier one is too, which is how a test shows that something was not published.
     */
    public static <V extends org.apache.avro.specific.SpecificRecord> List<V> await(Platform platform,
            TopicSpec<V> spec, String what, java.util.function.Predicate<List<V>> done) throws InterruptedException {
        return Await.value(what, Duration.ofSeconds(60), () -> {
            List<V> now = readNow(platform, spec);
            return done.test(now) ? now : null;
        });
    }

    /** Every value now on the topic, in offset order per partition, read to its end. */
    public static <V extends org.apache.avro.specific.SpecificRecord> List<V> readNow(Platform platform,
            TopicSpec<V> spec) {
        List<V> out = new ArrayList<>();
        try (TopicFollower<V> f = new TopicFollower<>(platform, spec, "new-dialogues-reader")) {
            f.catchUp(r -> out.add(r.value()), Duration.ofSeconds(30));
        }
        return out;
    }
}
