package org.crsaug.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrsConfigTest {

    @Test
    void laterLayersWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("crs.properties");
        Files.writeString(file, "retriever.top.k=20\nscorer.threshold=3.0\ntrainer.alpha=0.5\n");

        CrsConfig c = CrsConfig.load(file,
                Map.of("CRS_SCORER_THRESHOLD", "2.5", "CRS_TRAINER_ALPHA", "0.7", "HOME", "/root"),
                Map.of("trainer.alpha", "0.9"));

        assertThat(c.getInt("retriever.top.k")).isEqualTo(20);
        assertThat(c.getDouble("scorer.threshold")).isEqualTo(2.5);
        assertThat(c.getDouble("trainer.alpha")).isEqualTo(0.9);
        assertThat(c.getInt("retriever.batch.size")).isEqualTo(32);
        assertThat(c.has("home")).isFalse();
    }

    @Test
    void aPinnedTopicNameIgnoresThePrefixWhileTheOthersKeepIt() {
        CrsConfig replay = CrsConfig.defaults().withAll(Map.of("topic.prefix", "replay-",
                CrsConfig.TOPIC_NAME_PREFIX + "judgements", "judgements"));
        assertThat(replay.topic(org.crsaug.platform.topic.Topics.JUDGEMENTS)).isEqualTo("judgements");
        assertThat(replay.topic(org.crsaug.platform.topic.Topics.AUGMENTED_LABELS)).isEqualTo("replay-augmented-labels");
        assertThat(CrsConfig.defaults().topic(org.crsaug.platform.topic.Topics.JUDGEMENTS)).isEqualTo("judgements");
    }

    @Test
    void environmentNamesMapToKeys() {
        assertThat(CrsConfig.envToKey("CRS_SCHEMA_REGISTRY_URL")).isEqualTo("schema.registry.url");
        assertThat(CrsConfig.envToKey("CRS_KAFKA_SASL__MECHANISM")).isEqualTo("kafka.sasl_mechanism");
    }

    @Test
    void badValuesAndMissingFilesSayHowToFixThem(@TempDir Path dir) {
        CrsConfig c = CrsConfig.defaults().with("retriever.top.k", "many");
        assertThatThrownBy(() -> c.getInt("retriever.top.k")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("retriever.top.k").hasMessageContaining("many");
        assertThatThrownBy(() -> c.get("no.such.key")).hasMessageContaining("--set no.such.key=");
        assertThatThrownBy(() -> CrsConfig.load(dir.resolve("missing.properties"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
    }

    @Test
    void kafkaSettingsPassThroughAndSecretsAreMasked() {
        CrsConfig c = CrsConfig.defaults().with("kafka.security.protocol", "SASL_SSL")
                .with("kafka.sasl.jaas.config", "secret-stuff").with("llm.api.key", "sk-123");
        assertThat(c.kafkaPassThrough()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(c.toString()).doesNotContain("secret-stuff").doesNotContain("sk-123");
    }
}
