package org.crsaug.platform.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.crsaug.schema.DeadLetter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records that cannot be decoded (wrong magic byte, unknown schema id, garbage) become dead letters
 * written by the stream's own transactional producer, so they are committed atomically with the
 * offset that skips them: nothing is lost and nothing is dead-lettered twice.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

    /** Config key carrying the {@code Serializer<DeadLetter>} instance. */
    public static final String SERIALIZER_CONFIG = "crs.dead.letter.serializer";
    /** Config key carrying the dead-letter topic name. */
    public static final String TOPIC_CONFIG = "crs.dead.letter.topic";
    /** Config key carrying the name of the stage, for the record. */
    public static final String STAGE_CONFIG = "crs.dead.letter.stage";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private Serializer<DeadLetter> serializer;
    private String topic;
    private String stage;

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs) {
        Object s = configs.get(SERIALIZER_CONFIG);
        if (!(s instanceof Serializer<?>)) {
            throw new IllegalStateException(SERIALIZER_CONFIG + " must carry a Serializer<DeadLetter> instance");
        }
        serializer = (Serializer<DeadLetter>) s;
        topic = String.valueOf(configs.get(TOPIC_CONFIG));
        stage = String.valueOf(configs.get(STAGE_CONFIG));
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
            Exception exception) {
        DeadLetter letter = DeadLetters.fromRecord(record.topic(), record.partition(), record.offset(), stage,
                exception, record.key(), record.value());
        LOG.warn("Dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                letter.getError());
        byte[] value = serializer.serialize(topic, letter);
        byte[] key = DeadLetters.key(letter).getBytes(StandardCharsets.UTF_8);
        return Response.resume(List.of(new ProducerRecord<>(topic, key, value)));
    }
}
