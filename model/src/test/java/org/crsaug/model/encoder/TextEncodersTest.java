package org.crsaug.model.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextEncodersTest {

    @Test
    void defaultsBuildMiniLm(@TempDir Path cache) {
        try (TextEncoder e = TextEncoders.create(CrsConfig.defaults(), cache)) {
            assertThat(e).isInstanceOf(MiniLmEncoder.class);
            assertThat(((MiniLmEncoder) e).batchSize()).isEqualTo(32);
            assertThat(e.encode(List.of("hello"))[0]).hasSize(e.dimension());
        }
    }

    @Test
    void unknownNameListsTheValidOnes(@TempDir Path cache) {
        CrsConfig config = CrsConfig.defaults().with("retriever.encoder", "word2vec");
        assertThatThrownBy(() -> TextEncoders.create(config, cache))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("word2vec")
                .hasMessageContaining("all-minilm-l6-v2")
                .hasMessageContaining("bge-small-en-v1.5")
                .hasMessageContaining("e5-small-v2")
                .hasMessageContaining("openai");
    }

    @Test
    void nonPositiveBatchSizeIsAConfigError(@TempDir Path cache) {
        CrsConfig config = CrsConfig.defaults().with("retriever.batch.size", "0");
        assertThatThrownBy(() -> TextEncoders.create(config, cache)).isInstanceOf(ConfigException.class);
    }
}
