package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose file passes {@code docker-compose config} (which needs no Docker engine), and the one
 * settings the README promises (scorer replicas, the GPU LLM profile, CRS_* settings) take effect.
 */
class DockerComposeConfigTest {

    private static final Path COMPOSE_FILE = Path.of("..", "docker-compose.yml").toAbsolutePath().normalize();
    private static String binary;

    @BeforeAll
    static void findDockerCompose() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "docker-compose"))) {
                binary = Path.of(dir, "docker-compose").toString();
                return;
            }
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result config(Path file, Map<String, String> env, String... extra) throws Exception {
        // a missing tool fails rather than skips, so CI cannot pass without having validated the file
        assertThat(binary).as("docker-compose is not installed: apt-get install docker-compose (.ci/run does it)")
                .isNotNull();
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(binary, "-f", file.toString()));
        cmd.addAll(java.util.List.of(extra));
        cmd.add("config");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(COMPOSE_FILE.getParent().toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void theStackValidatesAndScalesTheScorerWithOneSetting() throws Exception {
        Result r = config(COMPOSE_FILE, Map.of("SCORER_REPLICAS", "4"));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("kafka:", "schema-registry:", "retriever:", "scorer:", "trainer:",
                "evaluator:", "serve:", "replicas: 4", "CRS_BOOTSTRAP_SERVERS: kafka:9092", "CRS_METRICS_PORT");
        // the LLM server sits behind a profile, so a plain 'up' does not need a GPU
        assertThat(r.output()).containsPattern("(?s)\n  llm:\n.*?profiles:\n    - llm\n");
        Result withLlm = config(COMPOSE_FILE, Map.of(), "--profile", "llm");
        assertThat(withLlm.exitCode()).as(withLlm.output()).isZero();
        assertThat(withLlm.output()).contains("vllm/vllm-openai", "driver: nvidia");
    }

    @Test
    void theClusterProfileRunsThreeBrokersWithReplicationThreeAndMinIsrTwo() throws Exception {
        Path env = COMPOSE_FILE.resolveSibling("cluster.env");
        Result r = config(COMPOSE_FILE, Map.of(), "--env-file", env.toString(), "--profile", "cluster");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("\n  kafka:\n", "\n  kafka-2:\n", "\n  kafka-3:\n",
                "KAFKA_CONTROLLER_QUORUM_VOTERS: 1@kafka:9093",
                "CRS_BOOTSTRAP_SERVERS: kafka:9092,kafka-2:9092,kafka-3:9092", "-ge 3 ]");
        // every broker, the services' own topics and the registry's
        for (String setting : new String[] {"KAFKA_DEFAULT_REPLICATION_FACTOR: 3", "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: 3",
                "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: 3", "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: 2",
                "KAFKA_MIN_INSYNC_REPLICAS: 2", "CRS_TOPIC_REPLICATION_FACTOR: 3", "CRS_TOPIC_MIN_INSYNC_REPLICAS: 2",
                "SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR: 3"}) {
            String[] kv = setting.split(": ");
            // docker-compose 1.x quotes numbers it interpolated, 2.x does not
            assertThat(r.output()).containsPattern(kv[0] + ": ['\"]?" + kv[1] + "['\"]?\n");
        }
        // the two extra brokers sit behind the profile; without cluster.env the stack stays one broker, replication 1
        assertThat(r.output()).containsPattern("(?s)\n  kafka-2:\n.*?profiles:\n    - cluster\n");
        Result single = config(COMPOSE_FILE, Map.of());
        assertThat(single.output()).containsPattern("CRS_TOPIC_REPLICATION_FACTOR: ['\"]?1['\"]?\n")
                .contains("CRS_BOOTSTRAP_SERVERS: kafka:9092\n", "-ge 1 ]");
    }

    @Test
    void aBrokenFileIsRejected(@TempDir Path tmp) throws Exception {
        Path broken = tmp.resolve("docker-compose.yml");
        Files.writeString(broken, Files.readString(COMPOSE_FILE).replace("    depends_on:\n      kafka:",
                "    depends_on: 12\n    x-was:\n      kafka:"));
        Result r = config(broken, Map.of());
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("depends_on");
    }
}
