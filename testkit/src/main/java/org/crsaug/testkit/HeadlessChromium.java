package org.crsaug.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Drives the system's Chromium through chromedriver with the W3C WebDriver protocol (plain JSON over
 * HTTP), which is all a page test needs and keeps a browser-automation library out of the build.
 * {@link #unavailableReason()} says why a test must skip on machines without the Debian packages.
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome");
    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

    private final Process driver;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String session;

    private HeadlessChromium(Process driver, String base, String session) {
        this.driver = driver;
        this.base = base;
        this.session = session;
    }

    public static Optional<String> unavailableReason() {
        if (find(BROWSERS).isEmpty()) {
            return Optional.of("Chromium is not installed (apt-get install chromium chromium-driver; .ci/run does it)");
        }
        if (find(DRIVERS).isEmpty()) {
            return Optional.of("chromedriver is not installed (apt-get install chromium-driver; .ci/run does it)");
        }
        return Optional.empty();
    }

    private static Optional<String> find(List<String> paths) {
        return paths.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    }

    public static HeadlessChromium start(Path workDir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(workDir);
        Process driver = new ProcessBuilder(find(DRIVERS).orElseThrow(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(workDir.resolve("chromedriver.log").toFile()).start();
        String base = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                        HttpResponse.BodyHandlers.ofString());
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !driver.isAlive()) {
                    driver.destroy();
                    throw new IllegalStateException("chromedriver did not start; see " + workDir, e);
                }
                Thread.sleep(100);
            }
        }
        Map<String, Object> caps = Map.of("capabilities", Map.of("alwaysMatch", Map.of(
                "browserName", "chrome",
                "goog:chromeOptions", Map.of(
                        "binary", find(BROWSERS).orElseThrow(),
                        "args", List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                "--user-data-dir=" + workDir.resolve("profile").toAbsolutePath())))));
        JsonNode created = call(http, "POST", base + "/session", caps);
        String session = created.path("value").path("sessionId").asText();
        if (session.isEmpty()) {
            driver.destroy();
            throw new IllegalStateException("chromedriver refused a session: " + created);
        }
        return new HeadlessChromium(driver, base, session);
    }

    public void open(String url) throws Exception {
        command("POST", "/url", Map.of("url", url));
    }

    /** The element's id for later commands, or empty when nothing matches the CSS selector. */
    public List<String> findAll(String css) throws Exception {
        JsonNode v = command("POST", "/elements", Map.of("using", "css selector", "value", css)).path("value");
        return java.util.stream.StreamSupport.stream(v.spliterator(), false)
                .map(e -> e.fields().next().getValue().asText()).toList();
    }

    public void type(String css, String text) throws Exception {
        command("POST", "/element/" + only(css) + "/value", Map.of("text", text));
    }

    public void click(String css) throws Exception {
        command("POST", "/element/" + only(css) + "/click", Map.of());
    }

    public String text(String elementId) throws Exception {
        return command("GET", "/element/" + elementId + "/text", null).path("value").asText();
    }

    private String only(String css) throws Exception {
        List<String> all = findAll(css);
        if (all.size() != 1) {
            throw new AssertionError("Expected one element for " + css + ", found " + all.size());
        }
        return all.get(0);
    }

    private JsonNode command(String method, String path, Object body) throws Exception {
        return call(http, method, base + "/session/" + session + path, body);
    }

    private static JsonNode call(HttpClient http, String method, String url, Object body) throws Exception {
        HttpRequest.BodyPublisher pub = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).method(method, pub)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode node = JSON.readTree(r.body());
        if (r.statusCode() >= 400) {
            throw new IllegalStateException("WebDriver " + method + " " + url + " failed: " + r.body());
        }
        return node;
    }

    @Override
    public void close() {
        try {
            call(http, "DELETE", base + "/session/" + session, null);
        } catch (Exception ignored) {
            // the driver is stopped next anyway
        }
        driver.destroy();
    }
}
