package org.crsaug.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.streams.StreamsConfig;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Item;
import org.junit.jupiter.api.Test;

class PlatformRestartTest {

    private static Path freshStateDir() throws Exception {
        Path dir = Path.of("target", "platform-test-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        Files.createDirectories(dir);
        return dir;
    }

    private static Item item(String id, String title) {
        return Item.newBuilder().setItemId(id).setDataset("test").setTitle(title).build();
    }

    @Test
    void restartOnTheSameStateDirKeepsTopicsRecordsAndSchemas() throws Exception {
        CrsConfig config = CrsConfig.defaults().withAll(Map.of("state.dir", freshStateDir().toString(),
                "topic.partitions", "2"));
        int itemSchemaId;
        String firstAddress;
        try (Platform first = Platform.start(config)) {
            firstAddress = first.bootstrapServers();
            assertThat(first.bootstrapServers()).startsWith("127.0.0.1:");
            assertThat(first.registryUrl()).startsWith("http://127.0.0.1:");
            first.ensureTopics();
            first.ensureTopics(); // existing topics are fine
            try (KafkaProducer<String, Item> producer = first.producer(Topics.ITEMS, "restart-test")) {
                producer.send(new ProducerRecord<>("items", "a", item("a", "Alpha"))).get();
                producer.send(new ProducerRecord<>("items", "b", item("b", "Beta"))).get();
            }
            itemSchemaId = first.registry().latest("items-value").id();
            assertThat(TestKafka.readAll(first, Topics.ITEMS, 2, Duration.ofSeconds(20))).hasSize(2);
        }

        try (Platform second = Platform.start(config)) {
            // embedded.kafka.port=0 takes the last start's port again while it is free (see EmbeddedKafka.start)
            assertThat(second.bootstrapServers()).as("the broker's address after a restart").isEqualTo(firstAddress);
            try (Admin admin = Admin.create(second.adminProps())) {
                Set<String> names = admin.listTopics().names().get();
                for (TopicSpec<?> spec : Topics.all()) {
                    assertThat(names).contains(spec.baseName());
                }
                assertThat(names).contains(Topics.SCHEMAS_TOPIC);
                Config itemsConfig = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC,
                        "items"))).all().get().values().iterator().next();
                assertThat(itemsConfig.get("cleanup.policy").value()).isEqualTo("compact");
            }
            second.ensureTopics();
            // a new registry client on the restarted registry: no cache can hide a lost schema
            assertThat(second.registry().getById(itemSchemaId)).isEqualTo(Item.getClassSchema());
            assertThat(second.registry().register("items-value", Item.getClassSchema())).isEqualTo(itemSchemaId);
            Schema other = new Schema.Parser().parse(
                    "{\"type\":\"record\",\"name\":\"Other\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
            assertThat(second.registry().register("other-value", other)).isGreaterThan(itemSchemaId);

            List<ConsumerRecord<String, Item>> items = TestKafka.readAll(second, Topics.ITEMS, 2, Duration.ofSeconds(20));
            assertThat(items).extracting(r -> r.value().getTitle()).containsExactlyInAnyOrder("Alpha", "Beta");
        }
    }

    @Test
    void aRestartWhoseLastPortIsTakenListensOnAnotherOne() throws Exception {
        Path dir = freshStateDir();
        EmbeddedKafka kafka = new EmbeddedKafka(dir, 0);
        kafka.start();
        String before = kafka.bootstrapServers();
        kafka.stop();
        int lastPort = Integer.parseInt(before.substring(before.lastIndexOf(':') + 1));
        try (ServerSocket taken = new ServerSocket(lastPort, 50, InetAddress.getByName("127.0.0.1"))) {
            kafka.start();
            try {
                assertThat(kafka.bootstrapServers()).isNotEqualTo(before).startsWith("127.0.0.1:");
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                    assertThat(admin.describeCluster().nodes().get()).hasSize(1);
                }
            } finally {
                kafka.stop();
            }
        }
    }

    @Test
    void busyBrokerPortNamesTheSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            EmbeddedKafka kafka = new EmbeddedKafka(freshStateDir(), taken.getLocalPort());
            assertThatThrownBy(kafka::start).hasMessageContaining("embedded.kafka.port")
                    .hasMessageContaining("--set embedded.kafka.port=")
                    .hasMessageContaining(String.valueOf(taken.getLocalPort()));
            assertThat(kafka.isReady()).isFalse();
        }
    }

    @Test
    void connectNeedsBothAddresses() {
        assertThatThrownBy(() -> Platform.connect(CrsConfig.defaults().with("bootstrap.servers", "localhost:9092")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("bootstrap.servers"));
    }

    @Test
    void clientPropertiesCarryPassThroughAndTheRequiredGuarantees() throws Exception {
        CrsConfig config = CrsConfig.defaults().withAll(Map.of(
                "bootstrap.servers", "broker:9093",
                "schema.registry.url", "http://registry:8081",
                "state.dir", "/var/crs",
                "topic.replication.factor", "3",
                "kafka.security.protocol", "SASL_SSL",
                "kafka.client.id", "must-not-win"));
        try (Platform p = Platform.connect(config)) {
            for (Properties props : List.of(p.adminProps(), p.producerProps("c"), p.transactionalProducerProps("t"),
                    p.consumerProps("g"), p.streamsProps("app"))) {
                assertThat(props.getProperty("security.protocol")).isEqualTo("SASL_SSL");
                assertThat(props.getProperty("bootstrap.servers")).isEqualTo("broker:9093");
            }
            Properties producer = p.producerProps("c");
            assertThat(producer.getProperty(ProducerConfig.ACKS_CONFIG)).isEqualTo("all");
            assertThat(producer.getProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isEqualTo("true");
            assertThat(producer.getProperty(ProducerConfig.CLIENT_ID_CONFIG)).isEqualTo("c");
            assertThat(p.transactionalProducerProps("t").getProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG))
                    .isEqualTo("t");
            assertThat(p.transactionalProducerProps("t").getProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG))
                    .isEqualTo("10000");
            try (Platform longer = Platform.connect(config.with("kafka.transaction.timeout.ms", "30000"))) {
                assertThat(longer.transactionalProducerProps("t")
                        .getProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)).isEqualTo("30000");
            }
            Properties consumer = p.consumerProps("g");
            assertThat(consumer.getProperty(ConsumerConfig.GROUP_ID_CONFIG)).isEqualTo("g");
            assertThat(consumer.getProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG)).isEqualTo("read_committed");
            assertThat(consumer.getProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG)).isEqualTo("earliest");
            assertThat(consumer.getProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG)).isEqualTo("false");
            Properties streams = p.streamsProps("app");
            assertThat(streams.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("app");
            assertThat(streams.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
            assertThat(streams.getProperty(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo(Path.of("/var/crs/streams")
                    .toString());
            assertThat(streams.getProperty(StreamsConfig.REPLICATION_FACTOR_CONFIG)).isEqualTo("3");
            assertThat(streams.getProperty(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo("100");
            assertThat(p.valueSerde(Topics.ITEMS)).isSameAs(p.valueSerde(Topics.ITEMS));
        }
    }
}
