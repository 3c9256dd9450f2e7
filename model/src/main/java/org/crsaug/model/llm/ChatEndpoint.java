package org.crsaug.model.llm;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIInvalidDataException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.util.List;
import org.crsaug.model.llm.RetryAfter;
import org.crsaug.model.llm.EndpointUnreachableException;
import org.crsaug.model.llm.JudgeUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OpenAI-compatible chat endpoint, called through the OpenAI Java SDK with the SDK's own retries
 * switched off: we retry here so that every attempt passes the shared limiter, a 429's Retry-After
 * pauses every caller of this process, and no wait runs past the context's deadline. The judge and
 * {@code crs serve}'s reply writer both talk to their LLM through this class.
 */
public final class ChatEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChatEndpoint.class);

    /** A conversation turn: role is "system", "user" or "assistant". */
    public record Message(String role, String text) {
    }

    public record Reply(String text, long promptTokens, long completionTokens) {
    }

    private final OpenAIClient client;
    private final LlmSettings settings;
    private final RequestLimiter limiter;
    private final LlmUsage usage;

    /** A failed attempt and when the next one goes out; shown on progress lines, cleared by an answer. */
    public record Retry(String why, int attempt, int maxAttempts, long nextTryAtMs) {
    }

    private volatile Retry retrying;
    /** Why the latest failed call of any caller failed; null once a call is answered. */
    private volatile String lastFailure;

    /** The retry in progress, if the last attempt of any caller failed and none has been answered since. */
    public java.util.Optional<Retry> retrying() {
        return java.util.Optional.ofNullable(retrying);
    }

    /**
     * Why the latest failed call failed, until a call is answered: what a caller whose own deadline ran out
     * before its calls ended can report as the cause.
     */
    public java.util.Optional<String> lastFailure() {
        return java.util.Optional.ofNullable(lastFailure);
    }

    public ChatEndpoint(LlmSettings settings, String apiKey, RequestLimiter limiter, LlmUsage usage) {
        this.settings = settings;
        this.limiter = limiter;
        this.usage = usage;
        this.client = OpenAIOkHttpClient.builder()
                .baseUrl(settings.baseUrl())
                .apiKey(apiKey)
                .maxRetries(0)
                .timeout(settings.timeout())
                .build();
    }

    /**
     * Sends the conversation, retrying transient failures until it is answered or the deadline nears.
     *
     * @throws JudgeUnavailableException when no attempt got an answer before the deadline or the
     *     endpoint refused the request outright
     */
    public Reply complete(List<Message> messages, long deadlineNanos) throws InterruptedException {
        return complete(messages, deadlineNanos, null);
    }

    /**
     * As {@link #complete(List, long)}, asking for a reply that follows a JSON schema ({@code response_format}
     * of type {@code json_schema}); null asks for plain text. An endpoint that ignores the field answers text,
     * so the caller still reads the reply tolerantly when it does not parse.
     */
    public Reply complete(List<Message> messages, long deadlineNanos, ResponseFormatJsonSchema format)
            throws InterruptedException {
        ChatCompletionCreateParams params = params(settings, messages, format);
        long estimatedTokens = estimateTokens(messages) + settings.maxTokens();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            if (!limiter.acquire(estimatedTokens, deadlineNanos)) {
                String failure = last != null ? why(last) : lastFailure;
                throw new EndpointUnreachableException("The request budget (scorer.llm.requests.per.minute / "
                        + "scorer.replicas), or a wait the endpoint asked for, leaves no slot before the context"
                        + " deadline" + (failure == null ? "" : "; the last call failed: " + failure), last,
                        settings.backoffMax());
            }
            long waitMs;
            try {
                ChatCompletion completion = client.chat().completions().create(params);
                long in = 0;
                long out = 0;
                if (completion.usage().isPresent()) {
                    in = completion.usage().get().promptTokens();
                    out = completion.usage().get().completionTokens();
                }
                usage.answered(in, out);
                retrying = null;
                lastFailure = null;
                String text = completion.choices().isEmpty() ? ""
                        : completion.choices().get(0).message().content().orElse("");
                return new Reply(text, in, out);
            } catch (RateLimitException e) {
                usage.failed(true);
                last = e;
                waitMs = RetryAfter.requestedMs(e).orElse(backoffMs(attempt));
                limiter.holdOff(waitMs);
            } catch (OpenAIServiceException e) {
                usage.failed(false);
                if (e.statusCode() < 500 && e.statusCode() != 408 && e.statusCode() != 409) {
                    // a bad key, a wrong model name or a rejected request will not mend by waiting
                    throw new JudgeUnavailableException("LLM endpoint " + settings.baseUrl() + " refused the request"
                            + " with HTTP " + e.statusCode() + ": " + e.getMessage(), e);
                }
                last = e;
                waitMs = backoffMs(attempt);
                // every caller of this process waits, not only this one: an endpoint that is down
                // gets one retry per backoff step instead of one per in-flight batch
                limiter.holdOff(waitMs);
            } catch (OpenAIIoException | OpenAIInvalidDataException e) {
                // timeouts, dropped connections and garbled bodies are worth another try
                usage.failed(false);
                last = e;
                waitMs = backoffMs(attempt);
                limiter.holdOff(waitMs);
            }
            lastFailure = why(last);
            if (System.nanoTime() + waitMs * 1_000_000L > deadlineNanos) {
                break;
            }
            LOG.debug("LLM call attempt {} failed ({}); retrying in {} ms", attempt, last.getMessage(), waitMs);
            if (attempt < settings.maxAttempts()) {
                retrying = new Retry(why(last), attempt, settings.maxAttempts(), System.currentTimeMillis() + waitMs);
            }
            Thread.sleep(waitMs);
        }
        long retryAfter = last instanceof RateLimitException r
                ? RetryAfter.requestedMs(r).orElse(settings.backoffMax().toMillis()) : settings.backoffMax().toMillis();
        throw new EndpointUnreachableException("LLM endpoint " + settings.baseUrl() + " did not answer after "
                + settings.maxAttempts() + " attempts or within the context deadline: "
                + (last == null ? "" : why(last)), last, java.time.Duration.ofMillis(retryAfter));
    }

    /** The request for these messages; a Batch API line carries the same body. */
    static ChatCompletionCreateParams params(LlmSettings settings, List<Message> messages) {
        return params(settings, messages, null);
    }

    private static ChatCompletionCreateParams params(LlmSettings settings, List<Message> messages,
            ResponseFormatJsonSchema format) {
        ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model(settings.model());
        for (Message m : messages) {
            switch (m.role()) {
                case "system" -> b.addSystemMessage(m.text());
                case "assistant" -> b.addAssistantMessage(m.text());
                default -> b.addUserMessage(m.text());
            }
        }
        if (settings.maxTokens() > 0) {
            b.maxCompletionTokens(settings.maxTokens());
        }
        if (settings.temperature() >= 0) {
            b.temperature(settings.temperature());
        }
        if (format != null) {
            b.responseFormat(format);
        }
        return b.build();
    }

    /** The client's message and its deepest cause's: "Request failed" alone does not say "Connection refused". */
    static String why(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String top = String.valueOf(e.getMessage());
        return root == e || root.getMessage() == null || top.contains(root.getMessage()) ? top
                : top + ": " + root.getMessage();
    }

    private long backoffMs(int attempt) {
        return RetryAfter.backoffMs(attempt, settings.backoffBase().toMillis(), settings.backoffMax().toMillis());
    }

    /** About four characters a token for English text; only used to pace a tokens/min budget. */
    static long estimateTokens(List<Message> messages) {
        long chars = 0;
        for (Message m : messages) {
            chars += m.text().length();
        }
        return chars / 4 + 1;
    }

    @Override
    public void close() {
        client.close();
    }
}
