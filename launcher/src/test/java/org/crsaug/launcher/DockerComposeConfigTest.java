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
    void aBrokenFileIsRejected(@TempDir Path tmp) throws Exception {
        Path broken = tmp.resolve("docker-compose.yml");
        Files.writeString(broken, Files.readString(COMPOSE_FILE).replace("    depends_on:\n      kafka:",
                "    depends_on: 12\n    x-was:\n      kafka:"));
        Result r = config(broken, Map.of());
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("depends_on");
    }
}
