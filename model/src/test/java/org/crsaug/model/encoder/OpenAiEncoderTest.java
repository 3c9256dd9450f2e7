package org.crsaug.model.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.testkit.FakeChatServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible encoder against a local fake endpoint, including its failures. */
class OpenAiEncoderTest {

    private static final int DIM = 32;
    private final FakeChatServer server = new FakeChatServer().embeddingDimension(DIM);

    @AfterEach
    void stop() {
        server.close();
    }

    private CrsConfig config() {
        return CrsConfig.defaults()
                .with(TextEncoders.ENCODER_KEY, "openai")
                .with("retriever.encoder.openai.base.url", server.baseUrl())
                .with("retriever.encoder.openai.model", "fake-embed")
                .with("retriever.encoder.openai.api.key.env", "TEST_EMBED_KEY")
                .with("retriever.encoder.openai.batch.size", "2")
                .with("retriever.encoder.openai.backoff.base.ms", "20")
                .with("retriever.encoder.openai.backoff.max.ms", "100")
                .with("retriever.encoder.openai.max.attempts", "3")
                .with("retriever.encoder.openai.query.prefix", "query: ");
    }

    private TextEncoder encoder(CrsConfig config) {
        return TextEncoders.create(config, Path.of("unused"), Map.of("TEST_EMBED_KEY", "sk-test-123"));
    }

    @Test
    void encodesInBatchesWithPrefixesAndTheKey() {
        List<String> texts = List.of("ghost house", "space aliens", "love story", "");
        try (TextEncoder e = encoder(config())) {
            float[][] docs = e.encode(texts);
            float[][] queries = e.encodeQueries(List.of("ghost"));
            assertThat(e.id()).startsWith("openai:fake-embed@0#");
            assertThat(e.dimension()).isEqualTo(DIM);
            for (int i = 0; i < texts.size(); i++) {
                float[] expected = FakeChatServer.bagOfWords(texts.get(i).isEmpty() ? " " : texts.get(i), DIM);
                assertThat(docs[i]).containsExactly(expected, org.assertj.core.data.Offset.offset(1e-6f));
            }
            assertThat(queries[0]).containsExactly(FakeChatServer.bagOfWords("query: ghost", DIM),
                    org.assertj.core.data.Offset.offset(1e-6f));
        }
        // batch size 2: four documents in two calls, then the query; empty text sent as a space
        assertThat(server.embeddingInputs()).containsExactly(List.of("ghost house", "space aliens"),
                List.of("love story", " "), List.of("query: ghost"));
        assertThat(server.lastAuthorization()).isEqualTo("Bearer sk-test-123");
    }

    @Test
    void retriesAServerError() {
        server.thenFail(new FakeChatServer.ServerError());
        try (TextEncoder e = encoder(config())) {
            assertThat(e.encode(List.of("ghost"))[0]).hasSize(DIM);
        }
        assertThat(server.embeddingInputs()).hasSize(2);
    }

    @Test
    void waitsAsLongAsA429AsksBeforeRetrying() {
        server.thenFail(new FakeChatServer.RateLimited(1));
        long t0 = System.nanoTime();
        try (TextEncoder e = encoder(config())) {
            assertThat(e.encode(List.of("ghost"))[0]).hasSize(DIM);
        }
        // the backoff alone would be at most 100 ms; Retry-After asked for a second
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(950);
        assertThat(server.rateLimitedCount()).isEqualTo(1);
        assertThat(server.embeddingInputs()).hasSize(2);
    }

    @Test
    void givesUpWithTheAttemptCountWhenTheServerKeepsFailing() {
        server.thenFail(new FakeChatServer.ServerError(), new FakeChatServer.ServerError(),
                new FakeChatServer.ServerError());
        try (TextEncoder e = encoder(config())) {
            assertThatThrownBy(() -> e.encode(List.of("ghost")))
                    .isInstanceOf(EncoderException.class)
                    .hasMessageContaining("did not answer after 3 attempts");
        }
    }

    @Test
    void malformedRepliesAreClearErrorsNotRetried() {
        server.thenFail(new FakeChatServer.RawBody("{\"object\":\"list\",\"model\":\"fake-embed\"}"));
        try (TextEncoder e = encoder(config())) {
            assertThatThrownBy(() -> e.encode(List.of("ghost")))
                    .isInstanceOf(EncoderException.class)
                    .hasMessageContaining("unusable reply")
                    .hasMessageContaining("fake-embed");
        }
        assertThat(server.embeddingInputs()).hasSize(1);
        server.thenFail(new FakeChatServer.RawBody("{\"object\":\"list\",\"model\":\"m\",\"data\":[{\"object\":"
                + "\"embedding\",\"index\":0,\"embedding\":[0.1,0.2]}],\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}"));
        try (TextEncoder e = encoder(config())) {
            assertThatThrownBy(() -> e.encode(List.of("a", "b")))
                    .isInstanceOf(EncoderException.class)
                    .hasMessageContaining("1 vectors for 2 inputs");
        }
    }

    @Test
    void aMissingKeyIsAConfigErrorThatNamesTheVariableNotAKey() {
        assertThatThrownBy(() -> TextEncoders.create(config(), Path.of("unused"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("TEST_EMBED_KEY");
        try (TextEncoder e = TextEncoders.create(config().with("retriever.encoder.openai.api.key.env", ""),
                Path.of("unused"), Map.of())) {
            assertThat(e.encode(List.of("ghost"))[0]).hasSize(DIM);
        }
    }
}
