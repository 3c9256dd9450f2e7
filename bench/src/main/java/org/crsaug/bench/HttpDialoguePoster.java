package org.crsaug.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Turn;

/**
 * Posts dialogues to a running {@code crs up}'s {@code POST /api/dialogues}, one request each, in the
 * simple format with item ids (which the intake takes as well as titles), as a client of the HTTP API
 * would. An answer other than 202 naming the dialogue is a refusal: counted, its first reasons kept, and
 * the soak goes on, so its totals say how many were refused rather than the first one ending it.
 */
final class HttpDialoguePoster implements PacedSender.Intake {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEPT_REASONS = 5;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI endpoint;
    private final AtomicLong posted = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final List<String> reasons = new ArrayList<>();

    /** @param serverUrl the recommendation server's base URL, as crs up prints it (ending in a slash) */
    HttpDialoguePoster(String serverUrl, String dataset) {
        String base = serverUrl.endsWith("/") ? serverUrl : serverUrl + "/";
        this.endpoint = URI.create(base + "api/dialogues?dataset=" + dataset);
    }

    @Override
    public boolean submit(Dialogue dialogue) throws InterruptedException {
        posted.incrementAndGet();
        String id = dialogue.getDialogueId().toString();
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(dialogue))).build();
        try {
            HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 202 && accepted(answer.body()).contains(id)) {
                acknowledged.incrementAndGet();
                return true;
            }
            refused(id + ": HTTP " + answer.statusCode() + " " + answer.body());
        } catch (IOException e) {
            refused(id + ": " + e);
        }
        return false;
    }

    /** One dialogue in the simple format (docs/data.md): id, split, and per turn role, text and item ids. */
    static String body(Dialogue d) {
        ObjectNode root = JSON.createObjectNode();
        root.put("dialogueId", d.getDialogueId().toString());
        root.put("split", d.getSplit().toString());
        ArrayNode turns = root.putArray("turns");
        for (Turn t : d.getTurns()) {
            ObjectNode turn = turns.addObject();
            turn.put("role", t.getRole().name());
            turn.put("text", t.getText().toString());
            ArrayNode items = turn.putArray("items");
            t.getMentionedItemIds().forEach(i -> items.add(i.toString()));
        }
        return root.toString();
    }

    private static List<String> accepted(String body) throws IOException {
        List<String> ids = new ArrayList<>();
        JsonNode accepted = JSON.readTree(body).path("accepted");
        accepted.forEach(n -> ids.add(n.asText()));
        return ids;
    }

    private synchronized void refused(String reason) {
        if (reasons.size() < KEPT_REASONS) {
            reasons.add(reason);
        }
    }

    long posted() {
        return posted.get();
    }

    long acknowledged() {
        return acknowledged.get();
    }

    /** The first few refusals, each with its dialogue id and answer. */
    synchronized List<String> reasons() {
        return List.copyOf(reasons);
    }
}
