package org.crsaug.platform.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.schema.ItemFeedback;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private static TestKafka kafka;
    private static Platform platform;

    @BeforeAll
    static void startCluster() {
        kafka = new TestKafka();
        platform = kafka.platform();
    }

    @AfterAll
    static void stopCluster() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static Dialogue dialogue() {
        return Dialogue.newBuilder()
                .setDialogueId("redial:42")
                .setDataset("redial")
                .setSplit("train")
                .setTurns(List.of(
                        Turn.newBuilder().setRole(Role.SEEKER).setText("I loved Alien (1979), anything similar?")
                                .setMentionedItemIds(List.of("redial:111")).build(),
                        Turn.newBuilder().setRole(Role.RECOMMENDER).setText("Try Aliens (1986)!")
                                .setMentionedItemIds(List.of("redial:222")).build()))
                .setFeedback(List.of(ItemFeedback.newBuilder().setItemId("redial:222").setRespondent("seeker")
                        .setSuggested(true).setSeen(false).setLiked(null).build()))
                .setSource("train_data.jsonl:7")
                .build();
    }

    static Item item() {
        return Item.newBuilder().setItemId("redial:222").setDataset("redial").setTitle("Aliens").setYear(1986)
                .setGenres(List.of("Action", "Sci-Fi")).setDirectors(List.of("James Cameron"))
                .setHasMetadata(true).build();
    }

    @Test
    void dialogueAndItemSurviveARealTopic() {
        Dialogue d = dialogue();
        Item i = item();
        TestKafka.send(platform, Topics.DIALOGUES, d.getDialogueId(), d);
        TestKafka.send(platform, Topics.ITEMS, i.getItemId(), i);

        List<ConsumerRecord<String, Dialogue>> dialogues =
                TestKafka.readAll(platform, Topics.DIALOGUES, 1, Duration.ofSeconds(20));
        List<ConsumerRecord<String, Item>> items = TestKafka.readAll(platform, Topics.ITEMS, 1, Duration.ofSeconds(20));

        assertThat(dialogues).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("redial:42");
            assertThat(r.value()).isEqualTo(d);
        });
        assertThat(items).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("redial:222");
            assertThat(r.value()).isEqualTo(i);
        });
        // the bytes on the topic are Confluent-framed with the id the registry gave the subject
        int id = platform.registry().latest("dialogues-value").id();
        byte[] framed = platform.valueSerde(Topics.DIALOGUES).serializer().serialize("dialogues", d);
        assertThat(framed[0]).isZero();
        assertThat(ByteBuffer.wrap(framed, 1, 4).getInt()).isEqualTo(id);
        assertThat(platform.registry().latest("items-value").schema()).isEqualTo(Item.getClassSchema());
    }

    @Test
    void nullIsATombstoneBothWays() {
        AvroSerde<Item> serde = new AvroSerde<>(platform.registry(), Item.class);
        assertThat(serde.serializer().serialize("items", null)).isNull();
        assertThat(serde.deserializer().deserialize("items", null)).isNull();
    }

    @Test
    void keySerdeUsesTheKeySubject() {
        AvroSerde<Item> keys = new AvroSerde<>(platform.registry(), Item.class, true);
        byte[] bytes = keys.serializer().serialize("keyed-items", item());
        assertThat(platform.registry().latest("keyed-items-key").id()).isEqualTo(ByteBuffer.wrap(bytes, 1, 4).getInt());
        assertThat(keys.deserializer().deserialize("keyed-items", bytes)).isEqualTo(item());
    }

    @Test
    void oldWriterSchemaIsReadIntoTheCurrentClass() throws Exception {
        // Item as it might have looked before hasMetadata and the people lists existed
        Schema old = new Schema.Parser().parse("""
                {"type":"record","name":"Item","namespace":"org.crsaug.schema","fields":[
                  {"name":"itemId","type":"string"},
                  {"name":"dataset","type":"string"},
                  {"name":"title","type":"string"},
                  {"name":"year","type":["null","int"],"default":null}]}""");
        int id = platform.registry().register("evolution-items-value", old);
        GenericRecord rec = new GenericData.Record(old);
        rec.put("itemId", "x:1");
        rec.put("dataset", "x");
        rec.put("title", "Old");
        rec.put("year", 1950);
        byte[] bytes = frame(id, old, rec);

        Item read = new AvroSerde<>(platform.registry(), Item.class).deserializer().deserialize("evolution-items",
                bytes);

        assertThat(read.getTitle()).isEqualTo("Old");
        assertThat(read.getYear()).isEqualTo(1950);
        assertThat(read.getHasMetadata()).isFalse();
        assertThat(read.getGenres()).isEmpty();
    }

    @Test
    void wrongMagicByteIsReportedWithTheByte() throws InterruptedException {
        Platform bad = kafka.platform(Map.of("topic.prefix", "magic-"));
        String topic = bad.config().topic(Topics.ITEMS);
        TestKafka.sendRaw(bad, topic, "k", new byte[] {7, 0, 0, 0, 1, 2, 3});

        Throwable thrown = pollOne(bad, topic);

        assertThat(rootSerializationError(thrown)).hasMessageContaining("magic byte 0x07")
                .hasMessageContaining("expected 0x00");
    }

    @Test
    void unknownSchemaIdIsReportedWithTheId() throws InterruptedException {
        Platform bad = kafka.platform(Map.of("topic.prefix", "unknown-id-"));
        String topic = bad.config().topic(Topics.ITEMS);
        TestKafka.sendRaw(bad, topic, "k", ByteBuffer.allocate(7).put((byte) 0).putInt(424242).put(new byte[] {2, 65})
                .array());

        Throwable thrown = pollOne(bad, topic);

        assertThat(rootSerializationError(thrown)).hasMessageContaining("unknown schema id 424242");
    }

    @Test
    void shortAndUndecodableInputIsExplained() {
        AvroSerde<Item> serde = new AvroSerde<>(platform.registry(), Item.class);
        assertThatThrownBy(() -> serde.deserializer().deserialize("items", new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("too short").hasMessageContaining("3 bytes");

        int id = platform.registry().register("items-value", Item.getClassSchema());
        // a string length varint that never ends
        byte[] garbage = ByteBuffer.allocate(6).put((byte) 0).putInt(id).put((byte) 0x81).array();
        assertThatThrownBy(() -> serde.deserializer().deserialize("items", garbage))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not decodable").hasMessageContaining("schema id " + id);
    }

    private static byte[] frame(int id, Schema schema, GenericRecord rec) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(rec, enc);
        enc.flush();
        return out.toByteArray();
    }

    /** Polls the topic with the platform's Item deserializer and returns what the consumer threw. */
    private static Throwable pollOne(Platform p, String topic) throws InterruptedException {
        Properties props = p.consumerProps("bad-input");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<String, Item> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                p.valueSerde(Topics.ITEMS).deserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            return Await.value("the consumer to complain about the bad record", Duration.ofSeconds(20), () -> {
                try {
                    consumer.poll(Duration.ofMillis(200));
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            });
        }
    }

    private static Throwable rootSerializationError(Throwable t) {
        Throwable found = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SerializationException && c.getClass() == SerializationException.class) {
                found = c;
            }
        }
        assertThat(found).as("a SerializationException from the serde in %s", t).isNotNull();
        return found;
    }
}
