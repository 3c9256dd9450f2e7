package org.crsaug.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.TopicLag;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.DataSlices;

/**
 * What the {@code crs up} tests share: a configuration for an in-process {@code crs up} on a data slice,
 * crs command lines run in this JVM as a second terminal would run them, new dialogues as files or bodies,
 * the HTTP calls a user makes against crs up's port, and who is in a consumer group.
 */
final class UpFixture {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private UpFixture() {
    }

    /**
     * crs up's configuration on a slice of the INSPIRED data ({@link DataSlices#inspiredSlice}) copied to
     * {@code tmp/data}, with its state directory {@code tmp/state}, on any free ports (other builds share this
     * machine, and the fixed defaults are crs up's flags), plus {@code overrides}.
     */
    static CrsConfig onSlice(Path tmp, Map<String, Integer> linesPerSplit, Map<String, String> overrides)
            throws IOException {
        Path data = DataSlices.inspiredSlice(tmp.resolve("data"), linesPerSplit);
        Map<String, String> more = new HashMap<>(Map.of("retriever.top.k", "20"));
        more.putAll(overrides);
        return CrsConfig.defaults().withAll(settings(data, tmp.resolve("state"), more));
    }

    /**
     * Settings of an up over the slice in {@code data}: any free ports (other builds share this machine, and
     * the fixed defaults are crs up's flags), two partitions per topic (room for two scorer replicas), 10
     * candidates per context; {@code more} adds or overrides settings. As {@code --set} flags they start a
     * crs up in a JVM of its own.
     */
    static Map<String, String> settings(Path data, Path state, Map<String, String> more) {
        Map<String, String> s = new java.util.LinkedHashMap<>(Map.of("state.dir", state.toString(),
                "data.dir", data.toString(), "embedded.kafka.port", "0", "embedded.registry.port", "0",
                "serve.port", "0", "retriever.top.k", "10", "topic.partitions", "2"));
        s.putAll(more);
        return s;
    }

    /** What a crs command line printed and returned. */
    record Cli(int rc, String out, String err) {
    }

    /**
     * Runs a crs command line in this JVM, as a second terminal would run it. It swaps {@code System.out}
     * and {@code System.err} while it runs, so it is for commands that finish, one at a time.
     */
    static Cli cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(print(out));
        System.setErr(print(err));
        int rc;
        try {
            picocli.CommandLine cl = new picocli.CommandLine(new Crs());
            cl.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
            rc = Crs.execute(cl, args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Cli(rc, text(out), text(err));
    }

    static PrintStream print(ByteArrayOutputStream out) {
        return new PrintStream(out, true, StandardCharsets.UTF_8);
    }

    static String text(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * A file in {@code dir} holding one dialogue that names no item (so it has no training context): the
     * same turns each time, so each such dialogue is the same amount of retrieval work.
     */
    static Path dialogue(Path dir, String id) throws IOException {
        Path file = dir.resolve(id.replace(':', '-') + ".json");
        Files.writeString(file, "{\"dialogueId\": \"" + id + "\", \"turns\": [{\"role\": \"SEEKER\", \"text\":"
                + " \"Something scary with ghosts please\", \"items\": []}, {\"role\": \"RECOMMENDER\", \"text\":"
                + " \"Have you seen a haunted house film lately?\", \"items\": []}]}");
        return file;
    }

    /**
     * A new train dialogue in the simple format: the seeker names {@code liked}, and the recommender answers
     * each of {@code suggested} in a turn of its own, so the dialogue has one context per suggested title.
     */
    static String trainDialogue(String id, String liked, List<String> suggested) {
        StringBuilder turns = new StringBuilder("{\"role\": \"SEEKER\", \"text\": "
                + TextNode.valueOf("I loved " + liked + ", what else would I like?") + ", \"items\": ["
                + TextNode.valueOf(liked) + "]}");
        for (String title : suggested) {
            turns.append(", {\"role\": \"RECOMMENDER\", \"text\": ").append(TextNode.valueOf("Try " + title))
                    .append(", \"items\": [").append(TextNode.valueOf(title)).append("]}")
                    .append(", {\"role\": \"SEEKER\", \"text\": \"Seen it, anything else?\", \"items\": []}");
        }
        return "{\"dialogueId\": " + TextNode.valueOf(id) + ", \"split\": \"train\", \"turns\": [" + turns + "]}";
    }

    /** The base URL of crs up's HTTP server, ending in '/'. */
    static String httpBase(ContinuousRun up) {
        return up.address().http().get("recommendations");
    }

    static HttpResponse<String> post(ContinuousRun up, String path, String jsonBody)
            throws IOException, InterruptedException {
        return post(httpBase(up), path, jsonBody);
    }

    /** A POST to the HTTP server at {@code baseUrl} (ending in '/'), e.g. a crs up in a JVM of its own. */
    static HttpResponse<String> post(String baseUrl, String path, String jsonBody)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code POST /api/dialogues} on the recommendation server at {@code baseUrl} (ending in '/'). */
    static HttpResponse<String> postDialogues(String baseUrl, String body) throws IOException, InterruptedException {
        return post(baseUrl, "api/dialogues", body);
    }

    static HttpResponse<String> get(ContinuousRun up, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(httpBase(up) + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GET of a JSON answer; fails naming the status and body unless it is a 200. */
    static JsonNode getJson(ContinuousRun up, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(up, path);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /**
     * Waits until {@code group} has committed offsets on {@code spec}'s topic and no lag left there: every
     * record crs up has been given up to now has been processed (and, for an exactly-once stream, its
     * output committed). Fails at once when a part of crs up failed.
     */
    static void awaitCaughtUp(ContinuousRun up, TopicSpec<?> spec, String group) throws InterruptedException {
        Await.until(group + " caught up on " + up.platform().config().topic(spec), Duration.ofMinutes(3), () -> {
            up.checkHealth();
            return caughtUp(up.platform(), spec, group);
        });
    }

    /**
     * Whether the group has read everything on the topic: its lag is 0. A group that has committed nothing
     * yet has no lag to show and does not count as caught up.
     */
    static boolean caughtUp(Platform platform, TopicSpec<?> topic, String group) {
        try (Admin admin = Admin.create(platform.adminProps())) {
            String name = platform.config().topic(topic);
            return TopicLag.collect(admin, platform).stream().filter(t -> t.topic().equals(name)).findFirst()
                    .map(t -> Long.valueOf(0).equals(t.lagByGroup().get(platform.namespaced(group))))
                    .orElse(false);
        }
    }

    /**
     * Members of a consumer group (the name without the topic prefix), by client id, once the group is stable;
     * empty while it rebalances, so a count read here is the settled one.
     */
    static List<String> groupMembers(Platform platform, String group) {
        ConsumerGroupDescription description = group(platform, group);
        if (description.groupState() != GroupState.STABLE) {
            return List.of();
        }
        return description.members().stream().map(MemberDescription::clientId).collect(Collectors.toList());
    }

    /** The members of a consumer group (a service's application id, without the topic prefix), as they are now. */
    static List<MemberDescription> members(Platform platform, String group) {
        return group(platform, group).members().stream().toList();
    }

    static ConsumerGroupDescription group(Platform platform, String group) {
        try (Admin admin = Admin.create(platform.adminProps())) {
            String name = platform.namespaced(group);
            return admin.describeConsumerGroups(List.of(name)).all().get().get(name);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot describe the consumer group " + group + ": " + e, e);
        }
    }
}
