package org.crsaug.model.encoder;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIInvalidDataException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.Embedding;
import com.openai.models.embeddings.EmbeddingCreateParams;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.model.llm.RetryAfter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes through any OpenAI-compatible {@code /v1/embeddings} endpoint (OpenAI itself, or a server
 * such as vLLM or text-embeddings-inference hosting a large encoder like GritLM), via the OpenAI Java
 * SDK. The SDK's own retries are off so that a 429's Retry-After is honoured and every attempt is
 * counted here. Rows are L2-normalised on arrival because not every server normalises.
 *
 * <p>The API key is read from the environment variable the settings name and is never logged or
 * put in the id; a blank variable name sends a placeholder, for local servers that check no key.
 */
public final class OpenAiEncoder implements TextEncoder {

    public static final String NAME = "openai";
    public static final String PREFIX = "retriever.encoder.openai.";

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiEncoder.class);
    private static final String NO_KEY = "no-key";

    /**
     * @param dimensions      asked of the server when positive (models that can shorten their vectors);
     *                        0 = the model's own length, learnt from the first reply
     * @param queryPrefix     put before each context, e.g. an instruction for instruction-tuned encoders
     * @param documentPrefix  put before each item description
     */
    public record Settings(String baseUrl, String model, String apiKeyEnv, int dimensions, int batchSize,
            int maxAttempts, Duration backoffBase, Duration backoffMax, Duration timeout, String queryPrefix,
            String documentPrefix) {

        public Settings {
            if (baseUrl == null || baseUrl.isBlank() || model == null || model.isBlank()) {
                throw new ConfigException(PREFIX + "base.url and " + PREFIX + "model must be set for retriever.encoder="
                        + NAME);
            }
            if (batchSize < 1 || maxAttempts < 1 || dimensions < 0) {
                throw new ConfigException(PREFIX + "batch.size and " + PREFIX + "max.attempts must be at least 1 and "
                        + PREFIX + "dimensions at least 0");
            }
            queryPrefix = queryPrefix == null ? "" : queryPrefix;
            documentPrefix = documentPrefix == null ? "" : documentPrefix;
        }

        public static Settings from(CrsConfig c) {
            return new Settings(c.get(PREFIX + "base.url"), c.get(PREFIX + "model"), c.get(PREFIX + "api.key.env", ""),
                    c.getInt(PREFIX + "dimensions"), c.getInt(PREFIX + "batch.size"), c.getInt(PREFIX + "max.attempts"),
                    Duration.ofMillis(c.getLong(PREFIX + "backoff.base.ms")),
                    Duration.ofMillis(c.getLong(PREFIX + "backoff.max.ms")),
                    Duration.ofMillis(c.getLong(PREFIX + "timeout.ms")), c.get(PREFIX + "query.prefix", ""),
                    c.get(PREFIX + "document.prefix", ""));
        }
    }

    private final Settings settings;
    private final OpenAIClient client;
    private final String id;
    private volatile int dimension;

    /** @param environment where the key variable is looked up (System.getenv() outside tests) */
    public OpenAiEncoder(Settings settings, Map<String, String> environment) {
        this.settings = Objects.requireNonNull(settings, "settings");
        String key = apiKey(settings, environment);
        this.client = OpenAIOkHttpClient.builder()
                .baseUrl(settings.baseUrl())
                .apiKey(key)
                .maxRetries(0)
                .timeout(settings.timeout())
                .build();
        this.dimension = settings.dimensions();
        // the endpoint and prefixes are in the id: the same model name elsewhere, or another instruction,
        // may give other vectors, and cached ones must not be mixed with them
        this.id = NAME + ":" + settings.model() + "@" + settings.dimensions() + "#"
                + shortHash(settings.baseUrl() + "\n" + settings.queryPrefix() + "\n" + settings.documentPrefix());
        LOG.info("Encoder {} at {} ({})", settings.model(), settings.baseUrl(),
                settings.apiKeyEnv().isBlank() ? "no API key" : "API key from $" + settings.apiKeyEnv());
    }

    /** The key from the variable the settings name; a placeholder when they name none. */
    static String apiKey(Settings settings, Map<String, String> environment) {
        if (settings.apiKeyEnv().isBlank()) {
            return NO_KEY;
        }
        String key = environment.get(settings.apiKeyEnv());
        if (key == null || key.isBlank()) {
            throw new ConfigException("retriever.encoder=" + NAME + " needs an API key in the environment variable "
                    + "named by " + PREFIX + "api.key.env (now '" + settings.apiKeyEnv() + "'); for a local server"
                    + " that checks no key, set " + PREFIX + "api.key.env to empty");
        }
        return key;
    }

    @Override
    public String id() {
        return id;
    }

    /** Asks the endpoint once for a vector when neither the settings nor an earlier reply gave the length. */
    @Override
    public int dimension() {
        if (dimension == 0) {
            encode(List.of("dimension probe"));
        }
        return dimension;
    }

    @Override
    public float[][] encode(List<String> texts) {
        return run(texts, settings.documentPrefix());
    }

    @Override
    public float[][] encodeQueries(List<String> texts) {
        return run(texts, settings.queryPrefix());
    }

    private float[][] run(List<String> texts, String prefix) {
        Objects.requireNonNull(texts, "texts");
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < texts.size(); from += settings.batchSize()) {
            int to = Math.min(from + settings.batchSize(), texts.size());
            List<String> batch = new ArrayList<>(to - from);
            for (String t : texts.subList(from, to)) {
                // servers reject empty inputs; a lone space keeps the row and its position
                String text = prefix + (t == null ? "" : t);
                batch.add(text.isEmpty() ? " " : text);
            }
            float[][] rows = call(batch);
            System.arraycopy(rows, 0, out, from, rows.length);
        }
        return out;
    }

    private float[][] call(List<String> batch) {
        EmbeddingCreateParams.Builder b = EmbeddingCreateParams.builder()
                .model(settings.model())
                .inputOfArrayOfStrings(batch)
                .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT);
        if (settings.dimensions() > 0) {
            b.dimensions(settings.dimensions());
        }
        EmbeddingCreateParams params = b.build();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            long waitMs;
            try {
                CreateEmbeddingResponse response = client.embeddings().create(params);
                return rows(response, batch.size());
            } catch (RateLimitException e) {
                last = e;
                waitMs = RetryAfter.requestedMs(e).orElse(backoff(attempt));
            } catch (OpenAIServiceException e) {
                if (e.statusCode() < 500 && e.statusCode() != 408 && e.statusCode() != 409) {
                    // a bad key, an unknown model or a too-long input will not mend by waiting
                    throw new EncoderException("Embeddings endpoint " + settings.baseUrl() + " refused model '"
                            + settings.model() + "' with HTTP " + e.statusCode() + ": " + e.getMessage(), e);
                }
                last = e;
                waitMs = backoff(attempt);
            } catch (OpenAIIoException e) {
                last = e; // timeouts and dropped connections are worth another try
                waitMs = backoff(attempt);
            } catch (OpenAIInvalidDataException e) {
                throw malformed(e.getMessage(), e);
            }
            if (attempt == settings.maxAttempts()) {
                break;
            }
            LOG.debug("Embeddings call attempt {} failed ({}); retrying in {} ms", attempt, last.getMessage(), waitMs);
            try {
                Thread.sleep(waitMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EncoderException("Interrupted while waiting to retry the embeddings endpoint", e);
            }
        }
        throw new EncoderException("Embeddings endpoint " + settings.baseUrl() + " did not answer after "
                + settings.maxAttempts() + " attempts (" + PREFIX + "max.attempts): "
                + (last == null ? "" : last.getMessage()), last);
    }

    /** Checks the reply row by row; the SDK parses lazily, so missing fields surface here. */
    private float[][] rows(CreateEmbeddingResponse response, int expected) {
        List<Embedding> data = response.data();
        if (data.size() != expected) {
            throw malformed("it returned " + data.size() + " vectors for " + expected + " inputs", null);
        }
        float[][] out = new float[expected][];
        for (Embedding e : data) {
            long index = e.index();
            if (index < 0 || index >= expected || out[(int) index] != null) {
                throw malformed("vector index " + index + " is out of range or repeated", null);
            }
            List<Float> values = e.embedding();
            int want = dimension;
            if (values.isEmpty() || (want > 0 && values.size() != want)) {
                throw malformed("a vector has " + values.size() + " values, expected "
                        + (want > 0 ? want : "at least one"), null);
            }
            float[] row = new float[values.size()];
            double norm = 0;
            for (int i = 0; i < row.length; i++) {
                Float v = values.get(i);
                if (v == null || !Float.isFinite(v)) {
                    throw malformed("a vector holds a missing or non-finite value", null);
                }
                row[i] = v;
                norm += (double) v * v;
            }
            if (norm == 0) {
                throw malformed("a vector is all zeros", null);
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < row.length; i++) {
                row[i] *= inv;
            }
            out[(int) index] = row;
            if (want == 0) {
                dimension = row.length;
            }
        }
        return out;
    }

    private EncoderException malformed(String what, Throwable cause) {
        return new EncoderException("Embeddings endpoint " + settings.baseUrl() + " (model '" + settings.model()
                + "') sent an unusable reply: " + what, cause);
    }

    private long backoff(int attempt) {
        return RetryAfter.backoffMs(attempt, settings.backoffBase().toMillis(), settings.backoffMax().toMillis());
    }

    private static String shortHash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
