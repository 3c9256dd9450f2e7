package org.crsaug.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.topic.Topics;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our {@code kafka.*} pass-through against a broker that authenticates (SASL_PLAINTEXT: PLAIN for the admin,
 * SCRAM-SHA-256 for the scorer) and authorizes (KRaft's StandardAuthorizer, nothing allowed without an ACL). The
 * scorer's user may describe every pipeline topic, read {@code candidates} in its group, write {@code scored-pairs}
 * and nothing else: it
 * reads, it is refused {@code checkpoints} with a message naming the principal and the ACL, and a wrong password
 * fails within seconds naming {@code kafka.sasl.jaas.config}.
 */
class SaslAclTest {

    private static final String ADMIN = "plain-admin";
    private static final String ADMIN_PASSWORD = "plain-admin-secret";
    private static final String SCORER = "scorer";
    private static final String SCORER_PASSWORD = "scorer-scram-secret";
    private static final String GROUP = "scorer";

    private static KafkaClusterTestKit cluster;
    private static Platform admin;
    private static final List<Platform> platforms = new ArrayList<>();

    @BeforeAll
    static void secureCluster() throws Exception {
        // java.io.tmpdir is under target/ in the tests
        Path dir = Files.createTempDirectory("sasl-kafka-");
        // the test kit sets up PLAIN with the super user plain-admin and StandardAuthorizer (no ACL, no access);
        // the client listener also takes SCRAM, whose users live in the cluster's metadata
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).setBaseDirectory(dir)
                .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT).build())
                .setConfigProp("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256")
                .setConfigProp("listener.name.external.scram-sha-256.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();

        // the admin creates the topics through our Platform: the pass-through reaches the admin client
        admin = platform(Map.of("kafka.security.protocol", "SASL_PLAINTEXT", "kafka.sasl.mechanism", "PLAIN",
                "kafka.sasl.jaas.config", plain(ADMIN, ADMIN_PASSWORD)));
        admin.ensureTopics();
        try (Admin a = Admin.create(admin.adminProps())) {
            a.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(SCORER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), SCORER_PASSWORD))).all().get();
            List<AclBinding> acls = new ArrayList<>();
            // DESCRIBE on every pipeline topic (ensureTopics lists them), READ on candidates and its group
            for (var spec : Topics.all()) {
                acls.add(allow(ResourceType.TOPIC, admin.config().topic(spec), AclOperation.DESCRIBE));
            }
            acls.add(allow(ResourceType.TOPIC, admin.config().topic(Topics.CANDIDATES), AclOperation.READ));
            acls.add(allow(ResourceType.GROUP, admin.namespaced(GROUP), AclOperation.READ));
            // what the scorer produces (it implies the idempotent producer's cluster permission); not checkpoints
            acls.add(allow(ResourceType.TOPIC, admin.config().topic(Topics.SCORED_PAIRS), AclOperation.WRITE));
            a.createAcls(acls).all().get();
        }
        TestKafka.sendRaw(admin, admin.config().topic(Topics.CANDIDATES), "ctx-1",
                "candidates of ctx-1".getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() throws Exception {
        platforms.forEach(Platform::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theScorerReadsCandidatesWithItsScramLoginThroughThePassThrough() throws Exception {
        Platform scorer = scorer(SCORER_PASSWORD);
        // its topics exist and it may describe them: nothing to create, nothing refused
        scorer.ensureTopics();
        scorer.requireAccess(List.of(admin.config().topic(Topics.CANDIDATES)), List.of());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(scorer.consumerProps(GROUP),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(scorer.config().topic(Topics.CANDIDATES)));
            List<ConsumerRecord<String, String>> read = new ArrayList<>();
            Await.until("the scorer reads candidates", Duration.ofSeconds(60), () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
                return !read.isEmpty();
            });
            assertThat(read.get(0).value()).isEqualTo("candidates of ctx-1");
        }
    }

    @Test
    void writingCheckpointsWithoutTheAclFailsAtOnceNamingThePrincipalAndTheAcl() {
        Platform scorer = scorer(SCORER_PASSWORD);
        String checkpoints = scorer.config().topic(Topics.CHECKPOINTS);
        long started = System.nanoTime();
        assertThatThrownBy(() -> scorer.requireAccess(List.of(scorer.config().topic(Topics.CANDIDATES)),
                List.of(checkpoints)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Kafka does not allow User:scorer (the user in kafka.sasl.jaas.config) WRITE on"
                        + " topic " + checkpoints)
                .hasMessageContaining("kafka-acls.sh --add --allow-principal User:scorer --operation WRITE --topic "
                        + checkpoints);
        // and a producer that writes anyway: the client's refusal, explained the same way
        Throwable refused = null;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(scorer.producerProps("scorer-writer"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(checkpoints, "cp", new byte[] {1})).get();
        } catch (Exception e) {
            refused = scorer.explain(e);
        }
        assertThat(refused).isInstanceOf(ConfigException.class).hasMessageContaining("Kafka denied User:scorer")
                .hasMessageContaining("topic(s) [" + checkpoints + "]").hasMessageContaining("Write");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aWrongPasswordFailsWithinSecondsNamingTheSetting() {
        Platform wrong = scorer("not-the-password");
        long started = System.nanoTime();
        assertThatThrownBy(wrong::ensureTopics).isInstanceOf(ConfigException.class)
                .hasMessageContaining("refused the login of User:scorer (SASL SCRAM-SHA-256)")
                .hasMessageContaining("kafka.sasl.jaas.config")
                .hasMessageNotContaining("not-the-password");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }

    private static Platform scorer(String password) {
        return platform(Map.of("kafka.security.protocol", "SASL_PLAINTEXT", "kafka.sasl.mechanism", "SCRAM-SHA-256",
                "kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"" + SCORER + "\" password=\"" + password + "\";"));
    }

    private static Platform platform(Map<String, String> security) {
        Map<String, String> settings = new HashMap<>(security);
        settings.put("bootstrap.servers", cluster.bootstrapServers());
        // the test sends raw bytes: no schema is registered, so no registry is asked
        settings.put("schema.registry.url", "http://127.0.0.1:9");
        settings.put("topic.partitions", "1");
        Platform p = Platform.connect(CrsConfig.defaults().withAll(settings));
        platforms.add(p);
        return p;
    }

    private static String plain(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static AclBinding allow(ResourceType type, String name, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry("User:" + SCORER, "*", operation, AclPermissionType.ALLOW));
    }
}
