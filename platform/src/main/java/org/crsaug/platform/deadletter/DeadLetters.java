package org.crsaug.platform.deadletter;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.crsaug.schema.DeadLetter;

/** Builds dead-letter records so every stage reports rejected input the same way. */
public final class DeadLetters {

    private DeadLetters() {
    }

    public static DeadLetter fromRecord(String topic, int partition, long offset, String stage, Throwable error,
            byte[] key, byte[] value) {
        return build(topic, partition, offset, stage, describe(error), key, value);
    }

    /**
     * A record a consumer could not deserialize, with the key and value bytes Kafka keeps on the exception, so
     * the letter can be re-submitted once a reader that understands them runs.
     */
    public static DeadLetter fromDeserialization(org.apache.kafka.common.errors.RecordDeserializationException e,
            String stage) {
        return fromRecord(e.topicPartition().topic(), e.topicPartition().partition(), e.offset(), stage, e,
                bytes(e.keyBuffer()), bytes(e.valueBuffer()));
    }

    /** The buffer's remaining bytes (the buffer itself is left as it was); null for null. */
    public static byte[] bytes(java.nio.ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /**
     * A record a stream processor could not handle: where it was read from (when the stream knows), as
     * {@link #fromDecoded}.
     */
    public static <V> DeadLetter fromProcessing(java.util.Optional<org.apache.kafka.streams.processor.api.RecordMetadata> meta,
            String fallbackTopic, String stage, Throwable error, String key, V value,
            org.apache.kafka.common.serialization.Serializer<V> wire) {
        org.apache.kafka.streams.processor.api.RecordMetadata m = meta.orElse(null);
        return fromDecoded(m == null ? fallbackTopic : m.topic(), m == null ? -1 : m.partition(),
                m == null ? -1 : m.offset(), stage, error, key, value, wire);
    }

    /**
     * A record a stage read, decoded, and could not handle, with its value as its topic's bytes again ({@code
     * wire}, the topic's serializer), so re-submitting the letter hands the stage a record it can read once the
     * cause is fixed: the raw bytes are no longer at hand once a deserializer has read them. If the value cannot
     * be serialized either, it is kept as text and the reason says that re-submitting cannot work.
     */
    public static <V> DeadLetter fromDecoded(String topic, int partition, long offset, String stage, Throwable error,
            String key, V value, org.apache.kafka.common.serialization.Serializer<V> wire) {
        String reason = describe(error);
        byte[] bytes = null;
        if (value != null) {
            try {
                bytes = wire.serialize(topic, value);
            } catch (RuntimeException e) {
                bytes = value.toString().getBytes(StandardCharsets.UTF_8);
                reason += " [kept as text, not as the record's bytes (" + describe(e) + "): re-submitting this"
                        + " letter cannot work]";
            }
        }
        return build(topic, partition, offset, stage, reason, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                bytes);
    }

    public static DeadLetter fromFileLine(String file, long lineNumber, String stage, String reason, String line) {
        return build("file:" + file, -1, lineNumber, stage, reason, null,
                line == null ? null : line.getBytes(StandardCharsets.UTF_8));
    }

    public static DeadLetter build(String source, int partition, long offset, String stage, String reason,
            byte[] key, byte[] value) {
        return DeadLetter.newBuilder()
                .setSourceTopic(source)
                .setPartition(partition)
                .setOffset(offset)
                .setStage(stage)
                .setError(reason)
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setFailedAtMs(System.currentTimeMillis())
                .build();
    }

    /** Exception class and message, and the root cause's, which is usually the informative part. */
    public static String describe(Throwable error) {
        if (error == null) {
            return "unknown error";
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String head = error.getClass().getSimpleName() + ": " + error.getMessage();
        return root == error ? head : head + " (caused by " + root.getClass().getSimpleName() + ": "
                + root.getMessage() + ")";
    }

    /**
     * Input that never was a record of a topic: a file line ({@code file:}), an HTTP request body
     * ({@code http:}), or a record the ingestor could not publish ({@code ingest:}, kept as text).
     * Its bytes cannot be put back on a topic; the fix is to correct the input and send it again.
     */
    public static boolean fromOutsideKafka(DeadLetter letter) {
        String source = letter.getSourceTopic();
        return source.startsWith("file:") || source.startsWith("http:") || source.startsWith("ingest:");
    }

    /** Dead letters are keyed by where the input came from, so re-submission can find its place. */
    public static String key(DeadLetter letter) {
        return letter.getSourceTopic() + "@" + letter.getPartition() + ":" + letter.getOffset();
    }
}
