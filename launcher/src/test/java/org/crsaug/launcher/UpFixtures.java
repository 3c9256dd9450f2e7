package org.crsaug.launcher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.TopicLag;
import org.crsaug.platform.topic.TopicSpec;

/** What the {@code crs up} tests share: a small up's settings, its dialogue endpoint, and probes of its groups. */
final class UpFixtures {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private UpFixtures() {
    }

    /**
     * Settings of an up over the slice in {@code data}: any free ports (other builds share this machine, and
     * the fixed defaults are crs up's flags), two partitions per topic (room for two scorer replicas), 10
     * candidates per context; {@code more} adds or overrides settings.
     */
    static Map<String, String> settings(Path data, Path state, Map<String, String> more) {
        Map<String, String> s = new LinkedHashMap<>(Map.of("state.dir", state.toString(), "data.dir", data.toString(),
                "embedded.kafka.port", "0", "embedded.registry.port", "0", "serve.port", "0",
                "retriever.top.k", "10", "topic.partitions", "2"));
        s.putAll(more);
        return s;
    }

    /** {@code POST /api/dialogues} on the recommendation server at {@code baseUrl} (ends in '/'). */
    static HttpResponse<String> postDialogues(String baseUrl, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "api/dialogues"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The members of a service's consumer group (its Kafka Streams application id, namespaced). */
    static List<MemberDescription> members(Platform platform, String applicationId) {
        return group(platform, applicationId).members().stream().toList();
    }

    static ConsumerGroupDescription group(Platform platform, String applicationId) {
        try (Admin admin = Admin.create(platform.adminProps())) {
            String group = platform.namespaced(applicationId);
            return admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot describe the group of " + applicationId + ": " + e, e);
        }
    }

    /**
     * Whether the group has read everything on the topic: its lag is 0. A group that has committed nothing
     * yet has no lag to show and does not count as caught up.
     */
    static boolean caughtUp(Platform platform, TopicSpec<?> topic, String applicationId) {
        try (Admin admin = Admin.create(platform.adminProps())) {
            String name = platform.config().topic(topic);
            return TopicLag.collect(admin, platform).stream().filter(t -> t.topic().equals(name)).findFirst()
                    .map(t -> Long.valueOf(0).equals(t.lagByGroup().get(platform.namespaced(applicationId))))
                    .orElse(false);
        }
    }
}
