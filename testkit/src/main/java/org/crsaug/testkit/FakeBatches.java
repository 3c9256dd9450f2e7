package org.crsaug.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.crsaug.platform.http.HttpError;
import org.crsaug.platform.http.HttpServers;

/**
 * The Batch API half of {@link FakeChatServer}: {@code POST /v1/files} (multipart, purpose {@code batch}),
 * {@code POST /v1/batches} (keeping its {@code metadata}), {@code GET /v1/batches} (newest first, paged by
 * {@code limit} and {@code after}), {@code GET /v1/batches/{id}} and {@code GET /v1/files/{id}/content}. A
 * batch is {@code validating} on its first poll, {@code in_progress} on the next ones (for as long as
 * {@link #hold} says), then {@code completed}, or {@code expired} when told to: each request line is
 * answered with what the chat endpoint would answer, except lines a test marks to fail. Output lines
 * come back in reverse order, as the real API does not promise the input order either.
 */
public final class FakeBatches {

    private final Function<JsonNode, ObjectNode> chat;
    private final Map<String, String> files = new LinkedHashMap<>();
    private final Map<String, Batch> batches = new LinkedHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger linesAnswered = new AtomicInteger();
    private final AtomicInteger refusedCreatesLeft = new AtomicInteger();
    private final AtomicInteger refusedUploadsLeft = new AtomicInteger();
    private final AtomicInteger uploadsRefused = new AtomicInteger();
    private final AtomicInteger createsRefused = new AtomicInteger();
    private volatile boolean hold;
    private volatile Predicate<String> failing = id -> false;
    private volatile int expireNextAfterLines = -1;
    /** While set, create answers only once it is counted down: a caller killed meanwhile never hears its batch id. */
    private volatile java.util.concurrent.CountDownLatch createAnswers;

    private static final class Batch {
        final String id;
        final String inputFileId;
        final long createdAt = System.currentTimeMillis() / 1000;
        String status = "validating";
        int polls;
        String outputFileId;
        String errorFileId;
        int total;
        int completed;
        int failed;
        boolean expire;
        int answerBeforeExpiry;
        JsonNode metadata;

        Batch(String id, String inputFileId) {
            this.id = id;
            this.inputFileId = inputFileId;
        }
    }

    FakeBatches(Function<JsonNode, ObjectNode> chat) {
        this.chat = chat;
    }

    /** While true, open batches stay in_progress however often they are polled. */
    public FakeBatches hold(boolean hold) {
        this.hold = hold;
        return this;
    }

    /** Lines whose custom_id matches fail with HTTP 500 in the error file; the rest are answered. */
    public FakeBatches failLines(Predicate<String> customIds) {
        this.failing = customIds;
        return this;
    }

    /** The next batch created expires: its first {@code answered} lines are answered, the rest are batch_expired. */
    public synchronized FakeBatches expireNext(int answered) {
        this.expireNextAfterLines = answered;
        return this;
    }

    /**
     * From now on a create makes its batch at once but holds its answer until {@link #answerCreates} (or five
     * minutes): the window between the batch existing at the API and its creator learning its id.
     */
    public FakeBatches holdCreateAnswers() {
        this.createAnswers = new java.util.concurrent.CountDownLatch(1);
        return this;
    }

    /** The next {@code n} creates answer 503 without making a batch (the SDK tries each call three times). */
    public FakeBatches refuseCreates(int n) {
        refusedCreatesLeft.set(n);
        return this;
    }

    /** The next {@code n} file uploads answer 503 without storing the file. */
    public FakeBatches refuseUploads(int n) {
        refusedUploadsLeft.set(n);
        return this;
    }

    /** Uploads answered 503 so far. */
    public int uploadsRefused() {
        return uploadsRefused.get();
    }

    /** Creates answered 503 so far. */
    public int createsRefused() {
        return createsRefused.get();
    }

    /** Lets held and later creates answer. */
    public FakeBatches answerCreates() {
        java.util.concurrent.CountDownLatch held = createAnswers;
        createAnswers = null;
        if (held != null) {
            held.countDown();
        }
        return this;
    }

    /** Batches created (a create whose answer is held counts once it made its batch). */
    public synchronized int created() {
        return batches.size();
    }

    public synchronized List<String> batchIds() {
        return List.copyOf(batches.keySet());
    }

    /** Request lines of each batch's input file, in the order the batches were created. */
    public synchronized List<Integer> requestsPerBatch() {
        return batches.values().stream().map(b -> b.total).toList();
    }

    /** How often the batch was polled. */
    public synchronized int polls(String batchId) {
        Batch b = batches.get(batchId);
        return b == null ? 0 : b.polls;
    }

    /** Request lines of all batches answered with a chat completion. */
    public int linesAnswered() {
        return linesAnswered.get();
    }

    /** The request lines of an uploaded file. */
    public synchronized List<JsonNode> requestLines(String fileId) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : files.getOrDefault(fileId, "").split("\n")) {
            if (!line.isBlank()) {
                out.add(read(line));
            }
        }
        return out;
    }

    void routes(io.javalin.config.RoutesConfig routes) {
        routes.post("/v1/files", this::upload);
        routes.get("/v1/files/{id}/content", this::content);
        routes.post("/v1/batches", this::create);
        routes.get("/v1/batches", this::list);
        routes.get("/v1/batches/{id}", this::retrieve);
    }

    private void upload(Context ctx) throws IOException {
        if (refusedUploadsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            uploadsRefused.incrementAndGet();
            throw new HttpError(503, "The server is overloaded; the file was not stored");
        }
        if (!"batch".equals(ctx.formParam("purpose"))) {
            throw new HttpError(400, "purpose must be 'batch' for a batch input file");
        }
        UploadedFile part = ctx.uploadedFile("file");
        if (part == null) {
            throw new HttpError(400, "No file part named 'file' with a filename");
        }
        String text;
        try (InputStream in = part.content()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String id = file(text);
        ctx.json(fileObject(id, part.filename(), text.length()));
    }

    private synchronized String file(String text) {
        String id = "file-" + ids.incrementAndGet();
        files.put(id, text);
        return id;
    }

    private synchronized void content(Context ctx) {
        String text = files.get(ctx.pathParam("id"));
        if (text == null) {
            throw new HttpError(404, "No such file: " + ctx.pathParam("id"));
        }
        ctx.contentType("application/octet-stream").result(text);
    }

    private void create(Context ctx) throws InterruptedException {
        if (refusedCreatesLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            createsRefused.incrementAndGet();
            throw new HttpError(503, "The server is overloaded; no batch was created");
        }
        ObjectNode made = make(HttpServers.jsonBody(ctx));
        java.util.concurrent.CountDownLatch held = createAnswers;
        if (held != null) {
            held.await(5, java.util.concurrent.TimeUnit.MINUTES);
        }
        ctx.json(made);
    }

    private synchronized ObjectNode make(JsonNode body) {
        String input = body.path("input_file_id").asText();
        if (!files.containsKey(input)) {
            throw new HttpError(404, "No such file: " + input);
        }
        if (!"24h".equals(body.path("completion_window").asText())
                || !"/v1/chat/completions".equals(body.path("endpoint").asText())) {
            throw new HttpError(400, "Expected completion_window 24h and endpoint /v1/chat/completions");
        }
        Batch b = new Batch("batch_" + ids.incrementAndGet(), input);
        b.total = requestLines(input).size();
        if (expireNextAfterLines >= 0) {
            b.expire = true;
            b.answerBeforeExpiry = expireNextAfterLines;
            expireNextAfterLines = -1;
        }
        b.metadata = body.path("metadata").isObject() ? body.get("metadata") : null;
        batches.put(b.id, b);
        return json(b);
    }

    /** {@code GET /v1/batches?limit=&after=}: newest first, as the API lists them, a page at a time. */
    private synchronized void list(Context ctx) {
        int limit = Integer.parseInt(java.util.Objects.requireNonNullElse(ctx.queryParam("limit"), "20"));
        String after = ctx.queryParam("after");
        List<Batch> newestFirst = new ArrayList<>(batches.values());
        java.util.Collections.reverse(newestFirst);
        int from = 0;
        if (after != null) {
            while (from < newestFirst.size() && !newestFirst.get(from).id.equals(after)) {
                from++;
            }
            from++;
        }
        ObjectNode root = HttpServers.JSON.createObjectNode();
        root.put("object", "list");
        var data = root.putArray("data");
        int to = Math.min(newestFirst.size(), from + limit);
        for (int i = from; i < to; i++) {
            data.add(json(newestFirst.get(i)));
        }
        if (to > from) {
            root.put("first_id", newestFirst.get(from).id).put("last_id", newestFirst.get(to - 1).id);
        }
        root.put("has_more", to < newestFirst.size());
        ctx.json(root);
    }

    private synchronized void retrieve(Context ctx) {
        Batch b = batches.get(ctx.pathParam("id"));
        if (b == null) {
            throw new HttpError(404, "No such batch: " + ctx.pathParam("id"));
        }
        b.polls++;
        if (b.status.equals("validating")) {
            b.status = "in_progress";
        } else if (b.status.equals("in_progress") && !hold) {
            run(b);
        }
        ctx.json(json(b));
    }

    /** Answers every line now, into an output and an error file (in reverse input order). */
    private void run(Batch b) {
        StringBuilder output = new StringBuilder();
        StringBuilder errors = new StringBuilder();
        List<JsonNode> lines = requestLines(b.inputFileId);
        for (int i = lines.size() - 1; i >= 0; i--) {
            JsonNode line = lines.get(i);
            String customId = line.path("custom_id").asText();
            ObjectNode row = HttpServers.JSON.createObjectNode();
            row.put("id", "batch_req_" + i).put("custom_id", customId);
            if (b.expire && i >= b.answerBeforeExpiry) {
                row.putNull("response");
                row.putObject("error").put("code", "batch_expired")
                        .put("message", "This request could not be executed before the completion window expired.");
                errors.append(row).append('\n');
                b.failed++;
            } else if (failing.test(customId)) {
                ObjectNode response = row.putObject("response");
                response.put("status_code", 500).put("request_id", "req_" + i);
                response.putObject("body").putObject("error").put("message", "The server had an error")
                        .put("type", "server_error");
                row.putNull("error");
                errors.append(row).append('\n');
                b.failed++;
            } else {
                ObjectNode response = row.putObject("response");
                response.put("status_code", 200).put("request_id", "req_" + i);
                response.set("body", chat.apply(line.path("body")));
                row.putNull("error");
                output.append(row).append('\n');
                linesAnswered.incrementAndGet();
                b.completed++;
            }
        }
        b.status = b.expire ? "expired" : "completed";
        if (output.length() > 0) {
            b.outputFileId = file(output.toString());
        }
        if (errors.length() > 0) {
            b.errorFileId = file(errors.toString());
        }
    }

    private ObjectNode json(Batch b) {
        ObjectNode root = HttpServers.JSON.createObjectNode();
        root.put("id", b.id).put("object", "batch").put("endpoint", "/v1/chat/completions")
                .put("input_file_id", b.inputFileId).put("completion_window", "24h").put("status", b.status)
                .put("created_at", b.createdAt).put("expires_at", b.createdAt + 86_400);
        root.putNull("errors");
        if (b.metadata != null) {
            root.set("metadata", b.metadata);
        }
        if (b.outputFileId != null) {
            root.put("output_file_id", b.outputFileId);
        }
        if (b.errorFileId != null) {
            root.put("error_file_id", b.errorFileId);
        }
        root.putObject("request_counts").put("total", b.total).put("completed", b.completed)
                .put("failed", b.failed);
        return root;
    }

    private static ObjectNode fileObject(String id, String name, long bytes) {
        ObjectNode root = HttpServers.JSON.createObjectNode();
        root.put("id", id).put("object", "file").put("bytes", bytes).put("created_at", System.currentTimeMillis() / 1000)
                .put("filename", name).put("purpose", "batch").put("status", "processed");
        return root;
    }

    private static JsonNode read(String line) {
        try {
            return HttpServers.JSON.readTree(line);
        } catch (IOException e) {
            throw new HttpError(400, "A request line is not JSON: " + e.getMessage());
        }
    }
}
