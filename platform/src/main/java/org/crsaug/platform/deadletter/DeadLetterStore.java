package org.crsaug.platform.deadletter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.DeadLetter;

/** Reads the dead-letter topic and puts letters back where they came from once their cause is fixed. */
public final class DeadLetterStore {

    /** What a re-submission did. */
    public record Resubmitted(int toTopics, int fromFiles) {
    }

    private DeadLetterStore() {
    }

    /** Every letter, keyed as published, that the filter (key, letter) accepts, oldest first. */
    public static List<Map.Entry<String, DeadLetter>> list(Platform platform, BiPredicate<String, DeadLetter> filter) {
        List<Map.Entry<String, DeadLetter>> out = new ArrayList<>();
        try (TopicFollower<DeadLetter> f = new TopicFollower<>(platform, Topics.DEAD_LETTERS, "crs-dlq")) {
            f.catchUp(r -> {
                if (r.value() != null && filter.test(r.key(), r.value())) {
                    out.add(Map.entry(r.key(), r.value()));
                }
            }, Duration.ofMinutes(2));
        }
        return out;
    }

    /**
     * Sends each letter's original bytes back to its source topic, so the stage that rejected it sees
     * it again. Letters from files and HTTP requests are only counted: the fix is to correct the input and
     * send it again.
     */
    public static Resubmitted resubmit(Platform platform, List<DeadLetter> letters) {
        int sent = 0;
        int fromFiles = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(platform.producerProps("crs-dlq-resubmit"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (DeadLetter d : letters) {
                if (DeadLetters.fromOutsideKafka(d)) {
                    fromFiles++;
                    continue;
                }
                producer.send(new ProducerRecord<>(d.getSourceTopic(), DeadLetters.bytes(d.getOriginalKey()),
                        DeadLetters.bytes(d.getOriginalValue())));
                sent++;
            }
            producer.flush();
        }
        return new Resubmitted(sent, fromFiles);
    }

}
