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
        // the Dockerfile once set CRS_STATE__DIR, which is the key state_dir, not state.dir
        assertThat(CrsConfig.envToKey("CRS_STATE__DIR")).isEqualTo("state_dir");
        assertThat(CrsConfig.keyToEnv("state.dir")).isEqualTo("CRS_STATE_DIR");
        assertThat(CrsConfig.envToKey(CrsConfig.keyToEnv("kafka.sasl_mechanism"))).isEqualTo("kafka.sasl_mechanism");
        for (String key : SettingRegistry.builtIn().defaults().keySet()) {
            assertThat(CrsConfig.envToKey(CrsConfig.keyToEnv(key))).isEqualTo(key);
        }
    }

    @Test
    void onlyCrsVariablesAreReadAndToolingVariablesAreNotSettings() {
        CrsConfig c = CrsConfig.load(null, Map.of("CRS_STATE_DIR", "/var/lib/crs", "CRS_JAVA_OPTS", "-Xmx2g",
                "STATE_DIR", "/elsewhere", "CRS_", "x"), Map.of());
        assertThat(c.get("state.dir")).isEqualTo("/var/lib/crs");
        assertThat(c.has("java.opts")).isFalse();
    }

    @Test
    void anUnknownKeyFromAnySourceNamesTheClosestKnownOne(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of(), Map.of("scorer.treshold", "3")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown setting 'scorer.treshold' (from --set); did you mean 'scorer.threshold'?");
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of("CRS_STATE__DIR", "/var/lib/crs"), Map.of()))
                .hasMessage("unknown setting 'state_dir' (from environment variable CRS_STATE__DIR);"
                        + " did you mean 'state.dir'?");
        Path file = dir.resolve("crs.properties");
        Files.writeString(file, "retriever.top.k=20\nretriever.topk=20\n");
        assertThatThrownBy(() -> CrsConfig.load(file, Map.of(), Map.of()))
                .hasMessageContaining("unknown setting 'retriever.topk' (from config file " + file + ")")
                .hasMessageContaining("did you mean 'retriever.top.k'?");
    }

    @Test
    void openEndedFamiliesAreAccepted() {
        CrsConfig c = CrsConfig.load(null, Map.of("CRS_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
                Map.of(CrsConfig.TOPIC_NAME_PREFIX + "judgements", "judgements"));
        assertThat(c.kafkaPassThrough()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(c.get("topic.name.judgements")).isEqualTo("judgements");
        // the prefix alone is no key
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of(), Map.of("kafka.", "x")))
                .hasMessageContaining("unknown setting 'kafka.'");
        // a pin names a topic of the registry, or it would be ignored without a word
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of(), Map.of("topic.name.judgments", "judgements")))
                .hasMessageContaining("unknown topic 'judgments' in 'topic.name.judgments' (from --set)")
                .hasMessageContaining("did you mean 'topic.name.judgements'?");
    }

    @Test
    void valuesAreTypeAndRangeCheckedWithTheKeyAndSourceInTheMessage() {
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of(), Map.of("scorer.threshold", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("scorer.threshold must be a number between 0 and 4, got 'x' (from --set)");
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of("CRS_SCORER_THRESHOLD", "4.5"), Map.of()))
                .hasMessage("scorer.threshold must be a number between 0 and 4, got '4.5'"
                        + " (from environment variable CRS_SCORER_THRESHOLD)");
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of(), Map.of("retriever.top.k", "0")))
                .hasMessageContaining("retriever.top.k must be an integer of at least 1, got '0'");
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of(), Map.of("trainer.learning.rate", "0")))
                .hasMessageContaining("trainer.learning.rate must be a number greater than 0, got '0'");
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of(), Map.of("retriever.centre", "maybe")))
                .hasMessageContaining("retriever.centre must be true or false, got 'maybe'");
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of(), Map.of("retriever.source", "magic")))
                .hasMessageContaining("retriever.source must be one of semantic, collaborative, fusion, got 'magic'");
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of(), Map.of("trainer.modes", "baseline,three-stage")))
                .hasMessageContaining("trainer.modes must be a comma-separated list of baseline, two-stage");
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of(), Map.of("metrics.port", "70000")))
                .hasMessageContaining("metrics.port must be an integer between 0 and 65535, or empty, got '70000'");
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of(), Map.of("scorer.llm.base.url", "localhost:8000")))
                .hasMessageContaining("scorer.llm.base.url must be an http:// or https:// URL");
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of(), Map.of("state.dir", " ")))
                .hasMessageContaining("state.dir must not be empty");
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of(), Map.of("topic.partitions", "2147483648")))
                .hasMessageContaining("topic.partitions must be an integer");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> CrsConfig.load(null, Map.of(), Map.of("scorer.treshold", "3",
                "retriever.top.k", "many")))
                .hasMessageContaining("unknown setting 'scorer.treshold'")
                .hasMessageContaining("retriever.top.k must be an integer of at least 1, got 'many'");
    }

    @Test
    void theSpellingsTheReadersAcceptAreAccepted() {
        CrsConfig c = CrsConfig.load(null, Map.of(), Map.of("trainer.modes", "Baseline, two_stage,AUG-ONLY",
                "retriever.centre", "off", "metrics.port", "", "scorer.threshold", "4", "retriever.candidate.splits", "",
                "scorer.llm.base.url", "http://localhost:8000/v1", "trainer.dataset", "ReDial"));
        assertThat(c.getBoolean("retriever.centre")).isFalse();
        assertThat(c.has("metrics.port")).isFalse();
    }

    @Test
    void settingsFromOutsideLoadAreCheckedTheSameWay() {
        assertThatThrownBy(() -> CrsConfig.check(Map.of("scorer.judg", "llm"), "--label-variant teacher"))
                .hasMessage("unknown setting 'scorer.judg' (from --label-variant teacher); did you mean 'scorer.judge'?");
        CrsConfig.check(Map.of("scorer.judge", "llm", "kafka.sasl.jaas.config", "x"), "--label-variant teacher");
    }

    @Test
    void everyDefaultIsTypedDocumentedAndValid() {
        for (SettingRegistry.Setting s : SettingRegistry.builtIn().all()) {
            assertThat(s.declaredType()).as("'#:' type line above %s in crs-defaults.properties", s.key()).isTrue();
            assertThat(s.meaning()).as("comment above %s in crs-defaults.properties", s.key()).isNotBlank();
            if (!s.family()) {
                assertThat(s.type().accepts(s.defaultValue())).as("default of %s", s.key()).isTrue();
            }
        }
        assertThat(SettingRegistry.builtIn().defaults()).containsEntry("state.dir", ".crs");
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
