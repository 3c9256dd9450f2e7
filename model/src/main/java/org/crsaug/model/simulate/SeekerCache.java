package org.crsaug.model.simulate;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.SeekerUtterance;

/**
 * The LLM seeker's paid words on the compacted {@code seeker-utterances} topic, like the judge's
 * {@code judgements} cache: read whole when a simulation starts, and each new utterance written (and
 * acknowledged) the moment it is paid for, so a simulation stopped half-way pays only for the rest.
 */
public final class SeekerCache implements AutoCloseable {

    private final Map<String, SeekerUtterance> byKey = new ConcurrentHashMap<>();
    private final KafkaProducer<String, SeekerUtterance> producer;
    private final String topic;

    public SeekerCache(Platform platform) {
        try (TopicFollower<SeekerUtterance> f = new TopicFollower<>(platform, Topics.SEEKER_UTTERANCES,
                "crs-seeker-cache")) {
            f.catchUp(r -> {
                if (r.value() == null) {
                    byKey.remove(r.key());
                } else {
                    byKey.put(r.key(), r.value());
                }
            }, Duration.ofMinutes(2));
        }
        this.producer = platform.producer(Topics.SEEKER_UTTERANCES, "crs-seeker-cache");
        this.topic = platform.config().topic(Topics.SEEKER_UTTERANCES);
    }

    public Optional<SeekerUtterance> get(String cacheKey) {
        return Optional.ofNullable(byKey.get(cacheKey));
    }

    /** Records a paid utterance and waits for the broker: the words are not used before they are kept. */
    public void put(SeekerUtterance u) {
        try {
            producer.send(new ProducerRecord<>(topic, u.getCacheKey(), u)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not record the seeker's words on " + topic + ": " + e.getCause(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while recording the seeker's words on " + topic, e);
        }
        byKey.put(u.getCacheKey(), u);
    }

    public int size() {
        return byKey.size();
    }

    @Override
    public void close() {
        producer.close();
    }
}
