package org.crsaug.platform.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.crsaug.platform.registry.SchemaRegistryClient;
import org.crsaug.platform.registry.SchemaRegistryException;

/**
 * Avro values in the Confluent wire format (byte 0, 4-byte big-endian schema id, Avro binary), so
 * records can be read by any Confluent-compatible tool. Subjects follow the TopicNameStrategy
 * ({@code <topic>-value} or {@code <topic>-key}). Reading resolves the writer's schema by id and
 * decodes into the generated class's own schema, which is what makes schema evolution work.
 *
 * <p>Safe to share between threads, as Kafka producers and Streams tasks do.
 */
public final class AvroSerde<V extends SpecificRecord> implements Serde<V> {

    static final byte MAGIC = 0;
    static final int HEADER = 5;

    private final SchemaRegistryClient registry;
    private final Class<V> type;
    private final Schema readerSchema;
    private final SpecificData model;
    private final String subjectSuffix;
    private final SpecificDatumWriter<V> writer;
    private final Map<String, Integer> idByTopic = new ConcurrentHashMap<>();
    private final Map<Integer, SpecificDatumReader<V>> readerByWriterId = new ConcurrentHashMap<>();
    private final Serializer<V> serializer = new Serializer<>() {
        @Override
        public byte[] serialize(String topic, V value) {
            return AvroSerde.this.serialize(topic, value);
        }

        @Override
        public String toString() {
            return "AvroSerializer[" + type.getName() + "]";
        }
    };
    private final Deserializer<V> deserializer = new Deserializer<>() {
        @Override
        public V deserialize(String topic, byte[] bytes) {
            return AvroSerde.this.deserialize(topic, bytes);
        }

        @Override
        public String toString() {
            return "AvroDeserializer[" + type.getName() + "]";
        }
    };

    public AvroSerde(SchemaRegistryClient client, Class<V> type) {
        this(client, type, false);
    }

    /** @param forKeys register under {@code <topic>-key} instead of {@code <topic>-value} */
    public AvroSerde(SchemaRegistryClient client, Class<V> type, boolean forKeys) {
        this.registry = client;
        this.type = type;
        this.model = SpecificData.getForClass(type);
        this.readerSchema = model.getSchema(type);
        this.subjectSuffix = forKeys ? "-key" : "-value";
        this.writer = new SpecificDatumWriter<>(readerSchema, model);
    }

    public Class<V> type() {
        return type;
    }

    public String subject(String topic) {
        return topic + subjectSuffix;
    }

    @Override
    public Serializer<V> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<V> deserializer() {
        return deserializer;
    }

    private byte[] serialize(String topic, V value) {
        if (value == null) {
            return null;
        }
        int id;
        try {
            id = idByTopic.computeIfAbsent(topic, t -> registry.register(subject(t), readerSchema));
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot register the schema of " + type.getSimpleName()
                    + " under subject " + subject(topic) + ": " + e.getMessage(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(MAGIC);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            writer.write(value, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot encode " + type.getSimpleName() + " for topic " + topic
                    + " (a required field may be null): " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private V deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (bytes.length < HEADER) {
            throw new SerializationException("Record on topic " + topic + " is too short for the Confluent Avro"
                    + " wire format: " + bytes.length + " bytes, need at least " + HEADER
                    + " (magic byte and 4-byte schema id)");
        }
        if (bytes[0] != MAGIC) {
            throw new SerializationException(String.format("Record on topic %s has unknown magic byte 0x%02x;"
                    + " expected 0x00 (Confluent Avro wire format). Was it written by another serializer?",
                    topic, bytes[0] & 0xff));
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        SpecificDatumReader<V> reader = readerFor(topic, id);
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, null);
            return reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot decode record on topic " + topic + " as "
                    + type.getSimpleName() + " with writer schema id " + id + ": the Avro payload is not decodable ("
                    + e + ")", e);
        }
    }

    private SpecificDatumReader<V> readerFor(String topic, int id) {
        SpecificDatumReader<V> cached = readerByWriterId.get(id);
        if (cached != null) {
            return cached;
        }
        Schema writerSchema;
        try {
            writerSchema = registry.getById(id);
        } catch (SchemaRegistryException e) {
            if (e.status() == 404) {
                throw new SerializationException("Record on topic " + topic + " refers to unknown schema id " + id
                        + ": the schema registry does not know it (" + e.getMessage() + ")", e);
            }
            throw new SerializationException("Cannot fetch writer schema id " + id + " for topic " + topic + ": "
                    + e.getMessage(), e);
        }
        SpecificDatumReader<V> reader = new SpecificDatumReader<>(writerSchema, readerSchema, model);
        readerByWriterId.putIfAbsent(id, reader);
        return reader;
    }
}
