package org.crsaug.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crsaug.platform.http.ErrorFormat;
import org.crsaug.platform.http.HttpError;
import org.crsaug.platform.http.HttpServers;
import org.crsaug.platform.http.WebServer;

/**
 * A local stand-in for a paid OpenAI-compatible endpoint, for tests and benchmarks only. It answers
 * {@code POST /v1/chat/completions} like a chain-of-thought judge (reasoning, then a JSON object of
 * scores for the candidates it was shown) and {@code POST /v1/embeddings} with a hashed
 * bag-of-words vector per input (texts sharing words point the same way), after a configurable
 * latency. It can be told to misbehave: 429 with Retry-After, 500, a hang past the client's
 * timeout, any reply text, or any raw body. Faults are shared by both endpoints, in arrival order.
 * With a per-minute limit it answers 429 like a real provider once the limit is exceeded. The Batch
 * API's files and batches endpoints are {@link FakeBatches}; their lines are not chat requests here.
 */
public final class FakeChatServer implements AutoCloseable {

    /** What the next request gets instead of a normal answer. */
    public sealed interface Fault permits RateLimited, ServerError, Hang, Reply, RawBody {
    }

    public record RateLimited(int retryAfterSeconds) implements Fault {
    }

    public record ServerError() implements Fault {
    }

    public record Hang(long millis) implements Fault {
    }

    /** A 200 answer with exactly this assistant text. */
    public record Reply(String text) implements Fault {
    }

    /** A 200 answer whose whole body is this text, e.g. JSON missing what the client needs. */
    public record RawBody(String body) implements Fault {
    }

    /**
     * What a request contained: the messages in order, as (role, text), and the JSON schema its
     * {@code response_format} asked for (null when it asked for none).
     */
    public record Request(List<String[]> messages, JsonNode jsonSchema) {
        public Request(List<String[]> messages) {
            this(messages, null);
        }

        public String lastUser() {
            for (int i = messages.size() - 1; i >= 0; i--) {
                if (messages.get(i)[0].equals("user")) {
                    return messages.get(i)[1];
                }
            }
            return "";
        }

        public String firstUser() {
            for (String[] m : messages) {
                if (m[0].equals("user")) {
                    return m[1];
                }
            }
            return "";
        }
    }

    private static final ObjectMapper JSON = HttpServers.JSON;
    private static final Pattern CANDIDATE_LINE = Pattern.compile("(?m)^- (.+?\\(\\d{4}\\)|[^.\\n]+)");

    /** Errors as OpenAI writes them, so the SDK under test parses ours like the real ones. */
    private static final ErrorFormat OPENAI_ERRORS = new ErrorFormat("application/json",
            (status, code, message) -> Map.of("error", Map.of("message", message, "type", errorType(status))));

    private final WebServer server;
    private final FakeBatches batches;
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();
    private final Deque<Long> answeredAt = new ArrayDeque<>();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger rateLimited = new AtomicInteger();
    private final AtomicInteger unavailable = new AtomicInteger();
    private volatile long downUntilNanos = System.nanoTime();
    private long pendingOutageNanos;
    private volatile long latencyMs;
    private volatile int limitPerMinute;
    private volatile Function<Request, String> responder = FakeChatServer::chainOfThoughtReply;
    private final List<List<String>> embeddingInputs = new ArrayList<>();
    private volatile int embeddingDimension = 64;

    public FakeChatServer() {
        batches = new FakeBatches(this::answerBatchLine);
        server = HttpServers.builder("fake chat server")
                // benchmarks keep hundreds of requests waiting out the latency at once
                .maxThreads(256)
                // embedding batches of a whole catalogue are larger than a chat request
                .maxBodyBytes(64L << 20)
                .errors(OPENAI_ERRORS)
                // tests close it with requests still hanging on purpose
                .stopGrace(Duration.ZERO)
                .start(routes -> {
                    routes.post("/v1/chat/completions", this::handle);
                    routes.post("/v1/embeddings", this::handleEmbeddings);
                    batches.routes(routes);
                });
    }

    /** Base URL to give the SDK. */
    public String baseUrl() {
        return server.baseUrl() + "/v1";
    }

    public FakeChatServer latencyMs(long ms) {
        this.latencyMs = ms;
        return this;
    }

    /** Answer 429 once more than this many requests arrived in the last minute (0 = no limit). */
    public FakeChatServer limitPerMinute(int limit) {
        this.limitPerMinute = limit;
        return this;
    }

    /**
     * Goes down with the next request that arrives and answers every request with 503 for this long,
     * as an endpoint that is down would (tests scale a real outage of minutes down to seconds).
     * Starting at a request, not now, keeps the window from passing unseen on a slow machine.
     */
    public synchronized FakeChatServer unavailableFor(java.time.Duration window) {
        this.pendingOutageNanos = window.toNanos();
        return this;
    }

    /** Requests answered 503 because the server was down. */
    public int unavailableCount() {
        return unavailable.get();
    }

    /**
     * Off, a request's {@code response_format} is ignored and the responder answers as for text, as
     * endpoints without structured outputs do (llama.cpp, older vLLM); on (the default), such a request
     * gets strict JSON that follows its schema.
     */
    public FakeChatServer honourSchemas(boolean honour) {
        this.honourSchemas = honour;
        return this;
    }

    private volatile boolean honourSchemas = true;

    public FakeChatServer responder(Function<Request, String> responder) {
        this.responder = responder;
        return this;
    }

    /** Queues faults; each is used by exactly one upcoming request, in order. */
    public synchronized FakeChatServer thenFail(Fault... more) {
        faults.addAll(List.of(more));
        return this;
    }

    /** Length of the vectors {@code /v1/embeddings} returns. */
    public FakeChatServer embeddingDimension(int dimension) {
        this.embeddingDimension = dimension;
        return this;
    }

    /** The inputs of every embeddings request received, answered or not, in arrival order. */
    public synchronized List<List<String>> embeddingInputs() {
        return List.copyOf(embeddingInputs);
    }

    /** Every chat request received, answered or not. */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    public int answered() {
        return answered.get();
    }

    public int rateLimitedCount() {
        return rateLimited.get();
    }

    public synchronized void resetCounts() {
        requests.clear();
        embeddingInputs.clear();
        answered.set(0);
        rateLimited.set(0);
        unavailable.set(0);
    }

    /** The Authorization header of the latest request, so tests can see a key was really sent. */
    public String lastAuthorization() {
        return lastAuthorization;
    }

    private volatile String lastAuthorization;

    /** The Batch API of this server: its state, and how its batches should behave. */
    public FakeBatches batches() {
        return batches;
    }

    /** A batch line's body answered as the chat endpoint answers it (faults and counts of chat calls aside). */
    private ObjectNode answerBatchLine(JsonNode body) {
        Request request = request(body);
        return completion(body.path("model").asText("fake"), request, responder.apply(request));
    }

    private static Request request(JsonNode body) {
        List<String[]> messages = new ArrayList<>();
        for (JsonNode m : body.path("messages")) {
            JsonNode content = m.path("content");
            messages.add(new String[] {m.path("role").asText(), content.isTextual() ? content.asText()
                    : content.toString()});
        }
        JsonNode format = body.path("response_format");
        return new Request(messages, format.path("type").asText().equals("json_schema")
                ? format.path("json_schema").path("schema") : null);
    }

    private void handle(Context ctx) throws InterruptedException {
        lastAuthorization = ctx.header("Authorization");
        JsonNode body = requestBody(ctx);
        Request request = request(body);
        Fault fault;
        boolean overLimit;
        synchronized (this) {
            requests.add(request);
            if (pendingOutageNanos > 0) {
                downUntilNanos = System.nanoTime() + pendingOutageNanos;
                pendingOutageNanos = 0;
            }
            fault = faults.poll();
            overLimit = overLimit();
        }
        if (failed(ctx, fault, overLimit)) {
            return;
        }
        String text = fault instanceof Reply r ? r.text()
                : request.jsonSchema() != null && honourSchemas ? instanceOf(request.jsonSchema(), "").toString()
                : responder.apply(request);
        answered.incrementAndGet();
        ctx.json(completion(body.path("model").asText("fake"), request, text));
    }

    private void handleEmbeddings(Context ctx) throws InterruptedException {
        lastAuthorization = ctx.header("Authorization");
        JsonNode body = requestBody(ctx);
        List<String> inputs = new ArrayList<>();
        JsonNode input = body.path("input");
        if (input.isTextual()) {
            inputs.add(input.asText());
        } else {
            input.forEach(n -> inputs.add(n.asText()));
        }
        Fault fault;
        boolean overLimit;
        synchronized (this) {
            embeddingInputs.add(List.copyOf(inputs));
            fault = faults.poll();
            overLimit = overLimit();
        }
        if (failed(ctx, fault, overLimit)) {
            return;
        }
        if (fault instanceof Reply r) {
            ctx.contentType("application/json").result(r.text());
            return;
        }
        int dim = body.has("dimensions") ? body.path("dimensions").asInt() : embeddingDimension;
        ObjectNode root = JSON.createObjectNode();
        root.put("object", "list").put("model", body.path("model").asText("fake"));
        var data = root.putArray("data");
        long tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            ObjectNode row = data.addObject();
            row.put("object", "embedding").put("index", i);
            var vector = row.putArray("embedding");
            for (float f : bagOfWords(inputs.get(i), dim)) {
                vector.add(f);
            }
            tokens += inputs.get(i).length() / 4 + 1;
        }
        root.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        answered.incrementAndGet();
        ctx.json(root);
    }

    private static JsonNode requestBody(Context ctx) {
        JsonNode body = HttpServers.jsonBody(ctx);
        if (body == null || !body.isObject()) {
            throw new HttpError(400, "Expected a JSON object as the request body");
        }
        return body;
    }

    private static String errorType(int status) {
        return switch (status) {
            case 429 -> "requests";
            case 400, 404, 405, 413 -> "invalid_request_error";
            default -> "server_error";
        };
    }

    /** Waits the configured latency, then answers the fault (or the rate limit) if there is one. */
    private boolean failed(Context ctx, Fault fault, boolean overLimit) throws InterruptedException {
        if (System.nanoTime() - downUntilNanos < 0) {
            unavailable.incrementAndGet();
            throw new HttpError(503, "Service unavailable");
        }
        if (latencyMs > 0) {
            Thread.sleep(latencyMs);
        }
        if (overLimit && fault == null) {
            fault = new RateLimited(1);
        }
        if (fault instanceof RateLimited r) {
            rateLimited.incrementAndGet();
            ctx.header("Retry-After", Integer.toString(r.retryAfterSeconds()));
            ctx.status(429).json(Map.of("error", Map.of("message", "Rate limit reached", "type", "requests",
                    "code", "rate_limit_exceeded")));
            return true;
        }
        if (fault instanceof ServerError) {
            throw new HttpError(500, "The server had an error");
        }
        if (fault instanceof Hang h) {
            Thread.sleep(h.millis());
            // the client has given up by now; what it would have got is a gateway timeout
            throw new HttpError(504, "The model did not answer in time");
        }
        if (fault instanceof RawBody b) {
            ctx.contentType("application/json").result(b.body());
            return true;
        }
        return false;
    }

    /**
     * The vector this server gives a text: lower-cased words hashed into {@code dim} buckets, counted
     * and L2-normalised, so tests can predict neighbours (shared words, higher inner product).
     */
    public static float[] bagOfWords(String text, int dim) {
        float[] v = new float[dim];
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                v[Math.floorMod(w.hashCode(), dim)] += 1;
            }
        }
        double norm = 0;
        for (float f : v) {
            norm += f * f;
        }
        if (norm == 0) {
            v[0] = 1; // an empty text still gets a unit vector
            return v;
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dim; i++) {
            v[i] *= inv;
        }
        return v;
    }

    private boolean overLimit() {
        if (limitPerMinute <= 0) {
            return false;
        }
        long now = System.nanoTime();
        while (!answeredAt.isEmpty() && now - answeredAt.peekFirst() > 60_000_000_000L) {
            answeredAt.pollFirst();
        }
        if (answeredAt.size() >= limitPerMinute) {
            return true;
        }
        answeredAt.addLast(now);
        return false;
    }

    private static ObjectNode completion(String model, Request request, String text) {
        long promptChars = request.messages().stream().mapToLong(m -> m[1].length()).sum();
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-fake").put("object", "chat.completion").put("created", 0).put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", text);
        root.putObject("usage").put("prompt_tokens", promptChars / 4).put("completion_tokens", text.length() / 4)
                .put("total_tokens", promptChars / 4 + text.length() / 4);
        return root;
    }

    /**
     * A value that follows the schema: every property of an object (the required ones are all of them
     * in strict mode), "fake reasoning" for a string, and for a number {@link #scoreFor} of the property
     * it belongs to, so a structured reply scores a candidate as a text reply would.
     */
    static JsonNode instanceOf(JsonNode schema, String propertyName) {
        return switch (schema.path("type").asText()) {
            case "object" -> {
                ObjectNode o = JSON.createObjectNode();
                schema.path("properties").fields().forEachRemaining(p -> o.set(p.getKey(),
                        instanceOf(p.getValue(), p.getKey())));
                yield o;
            }
            case "array" -> JSON.createArrayNode();
            case "number", "integer" -> JSON.getNodeFactory().numberNode(scoreFor(propertyName));
            case "boolean" -> JSON.getNodeFactory().booleanNode(true);
            default -> JSON.getNodeFactory().textNode("fake reasoning");
        };
    }

    /** The candidate names a judging request lists ("- Name (year). Genres: ..."). */
    public static List<String> candidateNames(Request request) {
        List<String> names = new ArrayList<>();
        Matcher m = CANDIDATE_LINE.matcher(request.firstUser());
        while (m.find()) {
            names.add(m.group(1).strip());
        }
        return names;
    }

    /**
     * The score this server gives a candidate: a fixed function of its name, so tests can predict
     * it, spread over the whole 0..4 range in half steps.
     */
    public static double scoreFor(String name) {
        return Math.floorMod(name.toLowerCase(Locale.ROOT).hashCode(), 9) / 2.0;
    }

    /** Reasoning with a decoy object in it, then a fenced JSON answer, as chat models tend to write. */
    public static String chainOfThoughtReply(Request request) {
        List<String> names = candidateNames(request);
        StringBuilder sb = new StringBuilder("Let me weigh each suggestion against what the seeker asked for.\n");
        sb.append("(A score object looks like {\"Some Movie (1999)\": 2} and comes at the end.)\n");
        ObjectNode scores = JSON.createObjectNode();
        for (String name : names) {
            double s = scoreFor(name);
            sb.append("- ").append(name).append(s >= 3 ? " fits the stated taste well." : " is a weaker fit.")
                    .append('\n');
            scores.put(name, s);
        }
        sb.append("\n```json\n").append(scores.toPrettyString()).append("\n```\n");
        return sb.toString();
    }

    @Override
    public void close() {
        // a create whose answer a test held must not keep the server's threads from stopping
        batches.answerCreates();
        server.close();
    }
}
