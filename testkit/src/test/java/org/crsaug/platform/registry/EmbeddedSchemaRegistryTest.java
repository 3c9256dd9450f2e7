package org.crsaug.platform.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.crsaug.testkit.TestKafka;
import org.crsaug.schema.Item;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checks the embedded registry against the Confluent protocol, both through our client and raw HTTP. */
class EmbeddedSchemaRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestKafka kafka;
    private static String url;

    private static final Schema V1 = record("Movie", """
            {"name":"id","type":"string"},{"name":"title","type":"string"}""");
    private static final Schema V2_WITH_DEFAULT = record("Movie", """
            {"name":"id","type":"string"},{"name":"title","type":"string"},
            {"name":"year","type":["null","int"],"default":null}""");
    private static final Schema V2_WITHOUT_DEFAULT = record("Movie", """
            {"name":"id","type":"string"},{"name":"title","type":"string"},{"name":"rating","type":"double"}""");

    @BeforeAll
    static void start() {
        kafka = new TestKafka();
        url = kafka.registryUrl();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Schema record(String name, String fields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"" + name
                + "\",\"namespace\":\"test\",\"fields\":[" + fields + "]}");
    }

    private static HttpResponse<String> http(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String schemaBody(Schema s) throws Exception {
        return JSON.writeValueAsString(Map.of("schema", s.toString()));
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void registerIsIdempotentAndIdsAreGlobal() throws Exception {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(url);
        int id = client.register("movies-a-value", V1);
        assertThat(client.register("movies-a-value", V1)).isEqualTo(id);
        // a fresh client has no cache, so this goes over the wire again
        assertThat(new HttpSchemaRegistryClient(url).register("movies-a-value", V1)).isEqualTo(id);
        assertThat(new HttpSchemaRegistryClient(url).register("movies-b-value", V1)).isEqualTo(id);
        assertThat(new HttpSchemaRegistryClient(url + "/").getById(id)).isEqualTo(V1);

        SchemaRegistryClient.RegisteredSchema latest = client.latest("movies-a-value");
        assertThat(latest.version()).isEqualTo(1);
        assertThat(latest.id()).isEqualTo(id);
        assertThat(latest.schema()).isEqualTo(V1);

        HttpResponse<String> raw = http("POST", "/subjects/movies-a-value/versions", schemaBody(V1));
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().firstValue("Content-Type")).hasValue("application/vnd.schemaregistry.v1+json");
        assertThat(json(raw).get("id").asInt()).isEqualTo(id);

        JsonNode byId = json(http("GET", "/schemas/ids/" + id, null));
        assertThat(new Schema.Parser().parse(byId.get("schema").asText())).isEqualTo(V1);

        JsonNode lookup = json(http("POST", "/subjects/movies-b-value", schemaBody(V1)));
        assertThat(lookup.get("subject").asText()).isEqualTo("movies-b-value");
        assertThat(lookup.get("version").asInt()).isEqualTo(1);
        assertThat(lookup.get("id").asInt()).isEqualTo(id);

        assertThat(json(http("GET", "/subjects", null))).extracting(JsonNode::asText)
                .contains("movies-a-value", "movies-b-value");
    }

    @Test
    void evolutionFollowsBackwardCompatibility() throws Exception {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(url);
        String subject = "evolving-value";
        assertThat(client.isCompatible(subject, V2_WITHOUT_DEFAULT)).as("no versions yet: anything goes").isTrue();
        int v1 = client.register(subject, V1);

        assertThat(client.isCompatible(subject, V2_WITHOUT_DEFAULT)).isFalse();
        JsonNode verdict = json(http("POST", "/compatibility/subjects/" + subject + "/versions/latest",
                schemaBody(V2_WITHOUT_DEFAULT)));
        assertThat(verdict.get("is_compatible").asBoolean()).isFalse();

        HttpResponse<String> refused = http("POST", "/subjects/" + subject + "/versions", schemaBody(V2_WITHOUT_DEFAULT));
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(json(refused).get("error_code").asInt()).isEqualTo(409);
        assertThat(json(refused).get("message").asText()).contains("rating");
        assertThatThrownBy(() -> client.register(subject, V2_WITHOUT_DEFAULT))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining(url).hasMessageContaining("HTTP 409")
                .hasMessageContaining("POST /subjects/evolving-value/versions")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(409));

        assertThat(client.isCompatible(subject, V2_WITH_DEFAULT)).isTrue();
        int v2 = client.register(subject, V2_WITH_DEFAULT);
        assertThat(v2).isNotEqualTo(v1);
        assertThat(json(http("GET", "/subjects/" + subject + "/versions", null)).toString()).isEqualTo("[1,2]");
        assertThat(json(http("GET", "/subjects/" + subject + "/versions/1", null)).get("id").asInt()).isEqualTo(v1);
        assertThat(client.latest(subject).version()).isEqualTo(2);
        JsonNode checkV1 = json(http("POST", "/compatibility/subjects/" + subject + "/versions/1",
                schemaBody(V2_WITHOUT_DEFAULT)));
        assertThat(checkV1.get("is_compatible").asBoolean()).isFalse();
    }

    @Test
    void errorsUseConfluentCodes() throws Exception {
        HttpResponse<String> unknownId = http("GET", "/schemas/ids/987654", null);
        assertThat(unknownId.statusCode()).isEqualTo(404);
        assertThat(json(unknownId).get("error_code").asInt()).isEqualTo(40403);
        assertThatThrownBy(() -> new HttpSchemaRegistryClient(url).getById(987654))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining(url).hasMessageContaining("GET /schemas/ids/987654")
                .hasMessageContaining("HTTP 404").hasMessageContaining("40403");

        HttpResponse<String> unknownSubject = http("GET", "/subjects/nope-value/versions/latest", null);
        assertThat(unknownSubject.statusCode()).isEqualTo(404);
        assertThat(json(unknownSubject).get("error_code").asInt()).isEqualTo(40401);

        new HttpSchemaRegistryClient(url).register("versions-value", V1);
        HttpResponse<String> unknownVersion = http("GET", "/subjects/versions-value/versions/9", null);
        assertThat(json(unknownVersion).get("error_code").asInt()).isEqualTo(40402);
        HttpResponse<String> badVersion = http("GET", "/subjects/versions-value/versions/zero", null);
        assertThat(badVersion.statusCode()).isEqualTo(422);
        assertThat(json(badVersion).get("error_code").asInt()).isEqualTo(42202);

        HttpResponse<String> invalid = http("POST", "/subjects/broken-value/versions", "{\"schema\":\"{\\\"type\\\":\\\"recordd\\\"}\"}");
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(json(invalid).get("error_code").asInt()).isEqualTo(42201);

        assertThat(http("GET", "/no/such/path", null).statusCode()).isEqualTo(404);
    }

    @Test
    void compatibilityLevelCanBeChanged() throws Exception {
        assertThat(json(http("GET", "/config", null)).get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(url);
        client.register("levels-value", V1);
        try {
            HttpResponse<String> put = http("PUT", "/config", "{\"compatibility\":\"NONE\"}");
            assertThat(json(put).get("compatibility").asText()).isEqualTo("NONE");
            assertThat(client.register("levels-value", V2_WITHOUT_DEFAULT)).isPositive();

            http("PUT", "/config", "{\"compatibility\":\"FORWARD\"}");
            // a new field without default: old readers skip it, so FORWARD accepts what BACKWARD refuses
            Schema extra = record("Movie", "{\"name\":\"id\",\"type\":\"string\"},"
                    + "{\"name\":\"title\",\"type\":\"string\"},{\"name\":\"rating\",\"type\":\"double\"},"
                    + "{\"name\":\"votes\",\"type\":\"long\"}");
            assertThat(client.isCompatible("levels-value", extra)).isTrue();
            // and removing a field old readers need is refused
            assertThat(client.isCompatible("levels-value", V1)).isFalse();

            HttpResponse<String> bad = http("PUT", "/config", "{\"compatibility\":\"SIDEWAYS\"}");
            assertThat(bad.statusCode()).isEqualTo(422);
            assertThat(json(bad).get("error_code").asInt()).isEqualTo(42203);
        } finally {
            http("PUT", "/config", "{\"compatibility\":\"BACKWARD\"}");
        }
    }

    @Test
    void aSecondRegistryReloadsEverythingFromTheTopic() throws Exception {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(url);
        int id = client.register("reload-value", Item.getClassSchema());
        EmbeddedSchemaRegistry second = new EmbeddedSchemaRegistry(kafka.bootstrapServers(), 0, new Properties());
        second.start();
        HttpSchemaRegistryClient other;
        try {
            other = new HttpSchemaRegistryClient(second.url());
            assertThat(other.getById(id)).isEqualTo(Item.getClassSchema());
            assertThat(other.latest("reload-value").id()).isEqualTo(id);
            assertThat(other.register("reload-other-value", Item.getClassSchema())).isEqualTo(id);
        } finally {
            second.stop();
        }
        // with the server gone, only the client's caches can answer: the hot path needs no HTTP
        assertThat(other.register("reload-other-value", Item.getClassSchema())).isEqualTo(id);
        assertThat(other.getById(id)).isEqualTo(Item.getClassSchema());
        assertThatThrownBy(() -> other.latest("reload-value")).isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("unreachable").hasMessageContaining("GET /subjects/reload-value/versions/latest");
    }

    @Test
    void aConnectionClosedWithoutAnAnswerIsTriedOnceMore() throws Exception {
        // a server that drops its first connection after reading the request (as one closing an idle keep-alive
        // connection does), then answers on the next
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            Thread serving = new Thread(() -> {
                for (int n = 0; n < 2; n++) {
                    try (java.net.Socket s = server.accept()) {
                        readRequest(s.getInputStream());
                        if (n == 1) {
                            byte[] body = "{\"id\": 7}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                            s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                            s.getOutputStream().write(body);
                            s.getOutputStream().flush();
                        }
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            serving.setDaemon(true);
            serving.start();
            HttpSchemaRegistryClient client = new HttpSchemaRegistryClient("http://127.0.0.1:" + server.getLocalPort());
            assertThat(client.register("retry-value", V1)).isEqualTo(7);
            serving.join(10_000);
        }
    }

    /** Reads one request: headers, then Content-Length bytes of body. */
    private static void readRequest(java.io.InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                return;
            }
            head.append((char) c);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)")
                .matcher(head);
        if (m.find()) {
            in.readNBytes(Integer.parseInt(m.group(1)));
        }
    }

    @Test
    void busyPortNamesTheSetting() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            EmbeddedSchemaRegistry clash = new EmbeddedSchemaRegistry(kafka.bootstrapServers(),
                    taken.getLocalPort(), new Properties());
            assertThatThrownBy(clash::start).hasMessageContaining("embedded.registry.port")
                    .hasMessageContaining(String.valueOf(taken.getLocalPort()));
        }
    }
}
