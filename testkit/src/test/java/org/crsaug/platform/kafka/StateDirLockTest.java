package org.crsaug.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Item;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.ChildJvm;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;

/**
 * A second platform on a state directory in use is refused before its broker touches a file, in another
 * JVM (the case that corrupted the running broker's metadata log) and in this one, and the first keeps
 * working.
 */
class StateDirLockTest {

    private static Path freshStateDir() throws IOException {
        Path dir = Path.of("target", "lock-test-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        Files.createDirectories(dir);
        return dir;
    }

    private static CrsConfig config(Path state) {
        return CrsConfig.defaults().withAll(Map.of("state.dir", state.toString(), "topic.partitions", "1"));
    }

    @Test
    void aSecondPlatformOnADirectoryInUseIsRefusedAndTheFirstKeepsWorking() throws Exception {
        Path state = freshStateDir();
        try (Platform first = Platform.start(config(state))) {
            first.ensureTopics();
            publish(first, "a");

            // this JVM: answered from memory, so the first platform's lock is not lost by opening the file
            assertThatThrownBy(() -> Platform.start(config(state))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is in use by pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("(this process)").hasMessageContaining("--state-dir")
                    .hasMessageContaining("crs up");

            // another JVM, as `crs status` beside `crs run` would be
            Path kafkaDir = state.resolve("kafka");
            // the broker lays out a new topic's partition log after createTopics returns: wait until the first
            // platform's own files are all there, so whatever appears later could only be the second's doing
            Await.until("every topic's partition log written by the first broker", Duration.ofMinutes(1),
                    () -> Topics.all().stream().map(t -> kafkaDir.resolve("log").resolve(first.config().topic(t) + "-0"))
                            .allMatch(d -> Files.isRegularFile(d.resolve("partition.metadata"))
                                    && Files.isRegularFile(d.resolve("leader-epoch-checkpoint"))));
            List<Path> before = listing(kafkaDir);
            Result second = secondProcess(state);
            assertThat(second.exitCode()).as(second.output()).isEqualTo(2);
            assertThat(second.output()).contains("is in use by pid " + ProcessHandle.current().pid())
                    .contains("--state-dir").doesNotContain("(this process)");
            assertThat(listing(kafkaDir)).as("files under %s", kafkaDir).isEqualTo(before);

            // the first broker still takes metadata changes and records
            first.ensureTopics();
            publish(first, "b");
            assertThat(TestKafka.readAll(first, Topics.ITEMS, 2, Duration.ofSeconds(30))).hasSize(2);
        }
        // closed: the directory is free again, in this JVM too
        try (Platform again = Platform.start(config(state))) {
            assertThat(TestKafka.readAll(again, Topics.ITEMS, 2, Duration.ofSeconds(30))).hasSize(2);
        }
    }

    @Test
    void anAddressFileWithoutItsLockHolderIsStaleAndIgnored() throws Exception {
        Path state = freshStateDir();
        // as a killed crs up leaves it: the addresses of a platform that is gone
        new PlatformAddress("127.0.0.1:1", "http://127.0.0.1:1", Map.of(), List.of(), 1).write(state);
        try (Platform platform = Platform.start(config(state))) {
            assertThat(platform.attached()).isFalse();
            assertThat(platform.bootstrapServers()).isNotEqualTo("127.0.0.1:1");
            assertThat(PlatformAddress.file(state)).doesNotExist();
        }
    }

    @Test
    void theLockIsExclusiveAndRecordsItsHolder() throws Exception {
        Path state = freshStateDir();
        try (StateDirLock lock = StateDirLock.tryAcquire(state).orElseThrow()) {
            assertThat(StateDirLock.tryAcquire(state)).isEmpty();
            assertThat(StateDirLock.heldHere(state)).isTrue();
            assertThat(lock.dir()).isEqualTo(state);
        }
        assertThat(StateDirLock.heldHere(state)).isFalse();
        assertThat(Files.readString(state.resolve(StateDirLock.FILE_NAME)))
                .startsWith("pid " + ProcessHandle.current().pid());
        try (StateDirLock again = StateDirLock.tryAcquire(state).orElseThrow()) {
            assertThat(again.dir()).isEqualTo(state);
        }
    }

    private static void publish(Platform platform, String id) throws Exception {
        try (KafkaProducer<String, Item> producer = platform.producer(Topics.ITEMS, "lock-test")) {
            producer.send(new ProducerRecord<>(platform.config().topic(Topics.ITEMS), id,
                    Item.newBuilder().setItemId(id).setDataset("test").setTitle(id).build())).get();
        }
    }

    /** The files under {@code dir}, less the broker's own checkpoint files caught mid-rewrite. */
    private static List<Path> listing(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(f -> !f.getFileName().toString().endsWith(".tmp")).sorted().toList();
        }
    }

    private record Result(int exitCode, String output) {
    }

    /** Runs {@link SecondProcess} in a new JVM on this test's class path. */
    private static Result secondProcess(Path state) throws Exception {
        ChildJvm p = ChildJvm.start(SecondProcess.class.getName(), List.of(state.toString()), Map.of(),
                state.getFileName() + "-second.log");
        assertThat(p.process().waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Result(p.process().exitValue(), p.output());
    }

    /** A second command on the state directory: exit 0 when it got a platform, 2 (and the message) when refused. */
    public static final class SecondProcess {
        public static void main(String[] args) {
            try (Platform p = Platform.start(config(Path.of(args[0])))) {
                System.out.println("started at " + p.bootstrapServers());
                System.exit(0);
            } catch (IllegalStateException e) {
                System.out.println(e.getMessage());
                System.exit(2);
            }
        }
    }
}
