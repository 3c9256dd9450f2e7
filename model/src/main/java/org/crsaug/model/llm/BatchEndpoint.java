package org.crsaug.model.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.MultipartField;
import com.openai.core.ObjectMappers;
import com.openai.core.http.HttpResponse;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.batches.BatchListPage;
import com.openai.models.batches.BatchListParams;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FilePurpose;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The OpenAI Batch API of the endpoint in {@code scorer.llm.base.url}, through the OpenAI Java SDK: a
 * JSONL file of chat requests is uploaded ({@code purpose=batch}), a batch with a 24 h window is created
 * on it, polled, and its output and error files are read back line by line. Each line carries the
 * {@code custom_id} it was sent with; callers match answers by it, never by line order, because the
 * API does not keep the order. Uploading and creating are separate calls, and every batch is created
 * with its caller's job id in its metadata, so a caller that recorded the upload before creating can
 * find the batch again after dying between the create and the record of its id. Tokens of answered lines are charged to the batch-priced usage.
 */
public final class BatchEndpoint implements AutoCloseable {

    private static final JsonMapper JSON = ObjectMappers.jsonMapper();

    /** One request line: its custom_id and the conversation to send. */
    public record Line(String customId, List<ChatEndpoint.Message> messages) {
    }

    /** What came back for one custom_id: the reply text, or why there is none. */
    public record Outcome(String customId, Optional<String> text, String error) {
        public boolean answered() {
            return text.isPresent();
        }
    }

    /** A batch's state as last polled; {@code terminal} once it will not change again. */
    public record State(String id, String status, Optional<String> outputFileId, Optional<String> errorFileId,
            long completed, long failed, long total) {
        public boolean terminal() {
            return switch (status) {
                case "completed", "failed", "expired", "cancelled" -> true;
                default -> false;
            };
        }
    }

    private final OpenAIClient client;
    private final LlmSettings settings;
    private final LlmUsage usage;

    public BatchEndpoint(LlmSettings settings, String apiKey, LlmUsage batchUsage) {
        this.settings = settings;
        this.usage = batchUsage;
        this.client = OpenAIOkHttpClient.builder().baseUrl(settings.baseUrl()).apiKey(apiKey)
                .timeout(settings.timeout()).build();
    }

    /** The metadata key naming the caller's job id on every batch it creates (see {@link #find}). */
    public static final String INTENT_METADATA = "crs_intent";

    /** Uploads the lines as one JSONL file ({@code purpose=batch}) and returns its file id. */
    public String upload(List<Line> lines) {
        StringBuilder jsonl = new StringBuilder();
        for (Line line : lines) {
            ObjectNode row = JSON.createObjectNode();
            row.put("custom_id", line.customId()).put("method", "POST").put("url", "/v1/chat/completions");
            row.set("body", JSON.valueToTree(ChatEndpoint.params(settings, line.messages())._body()));
            jsonl.append(row).append('\n');
        }
        // a named part: the API (and any multipart parser) takes a part without a file name for a form field
        MultipartField<java.io.InputStream> file = MultipartField.<java.io.InputStream>builder()
                .value(new java.io.ByteArrayInputStream(jsonl.toString().getBytes(StandardCharsets.UTF_8)))
                .filename("judge-requests.jsonl").contentType("application/jsonl").build();
        return client.files().create(FileCreateParams.builder().file(file).purpose(FilePurpose.BATCH).build()).id();
    }

    /**
     * Creates a batch (24 h window) on an uploaded file, with {@code metadata.crs_intent = intentId} so
     * that {@link #find} can tell later whether this call reached the API even if its answer never came.
     */
    public String create(String inputFileId, String intentId) {
        return client.batches().create(BatchCreateParams.builder().inputFileId(inputFileId)
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H)
                .metadata(BatchCreateParams.Metadata.builder().putProperty(INTENT_METADATA, intentId).build())
                .build()).id();
    }

    /**
     * The batch created for {@code intentId}, if any, by listing the account's batches newest first
     * ({@code GET /v1/batches}) down to those created before {@code notBeforeEpochSeconds}.
     */
    public Optional<String> find(String intentId, long notBeforeEpochSeconds) {
        BatchListPage page = client.batches().list(BatchListParams.builder().limit(100).build());
        while (true) {
            for (Batch b : page.data()) {
                if (b.createdAt() < notBeforeEpochSeconds) {
                    return Optional.empty();
                }
                JsonValue tag = b.metadata().map(m -> m._additionalProperties().get(INTENT_METADATA)).orElse(null);
                if (tag != null && intentId.equals(tag.asString().orElse(null))) {
                    return Optional.of(b.id());
                }
            }
            if (!page.hasNextPage()) {
                return Optional.empty();
            }
            page = page.nextPage();
        }
    }

    /**
     * A failure worth another try later (429, 5xx, 408, 409, a timeout or a dropped connection), as for chat
     * calls; anything else (a refused key, a rejected request) will not mend by waiting.
     */
    public static boolean transientFailure(RuntimeException e) {
        if (e instanceof com.openai.errors.RateLimitException || e instanceof com.openai.errors.OpenAIIoException) {
            return true;
        }
        return e instanceof com.openai.errors.OpenAIServiceException s
                && (s.statusCode() >= 500 || s.statusCode() == 408 || s.statusCode() == 409);
    }

    public State poll(String batchId) {
        Batch b = client.batches().retrieve(batchId);
        long completed = b.requestCounts().map(c -> c.completed()).orElse(0L);
        long failed = b.requestCounts().map(c -> c.failed()).orElse(0L);
        long total = b.requestCounts().map(c -> c.total()).orElse(0L);
        return new State(b.id(), b.status().asString(), b.outputFileId(), b.errorFileId(), completed, failed, total);
    }

    /**
     * Every line of the batch's output and error files. A line answered with a non-200 status, or an
     * answer that does not parse as a chat completion, is an outcome with its error.
     */
    public List<Outcome> results(State state) {
        List<Outcome> out = new ArrayList<>();
        for (Optional<String> file : List.of(state.outputFileId(), state.errorFileId())) {
            if (file.isPresent()) {
                for (JsonNode row : lines(file.get())) {
                    out.add(outcome(row));
                }
            }
        }
        return out;
    }

    private Outcome outcome(JsonNode row) {
        String id = row.path("custom_id").asText();
        JsonNode response = row.path("response");
        int status = response.path("status_code").asInt(0);
        if (!row.path("error").isMissingNode() && !row.path("error").isNull()) {
            return new Outcome(id, Optional.empty(), row.path("error").path("code").asText("error") + ": "
                    + row.path("error").path("message").asText());
        }
        if (status != 200) {
            return new Outcome(id, Optional.empty(), "HTTP " + status + ": "
                    + response.path("body").path("error").path("message").asText(response.path("body").toString()));
        }
        try {
            ChatCompletion completion = JSON.treeToValue(response.path("body"), ChatCompletion.class);
            completion.usage().ifPresent(u -> usage.answered(u.promptTokens(), u.completionTokens()));
            String text = completion.choices().isEmpty() ? ""
                    : completion.choices().get(0).message().content().orElse("");
            return new Outcome(id, Optional.of(text), "");
        } catch (IOException | RuntimeException e) {
            return new Outcome(id, Optional.empty(), "unreadable answer: " + e.getMessage());
        }
    }

    private List<JsonNode> lines(String fileId) {
        List<JsonNode> rows = new ArrayList<>();
        try (HttpResponse response = client.files().content(fileId);
                BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(),
                        StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    rows.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read batch file " + fileId + " from " + settings.baseUrl(), e);
        }
        return rows;
    }

    @Override
    public void close() {
        client.close();
    }
}
