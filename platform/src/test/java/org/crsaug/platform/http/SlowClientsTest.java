package org.crsaug.platform.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients that stall, on a real socket: many send half a header and stop (slow-loris: three times as many as
 * the server has threads), a few send the headers and a few bytes of the body they announced and stop (half
 * the pool: a body is read by a worker thread, which waits for it). Nobody else must be held up, and every
 * stalled connection is cut off once the read timeout passes instead of after Jetty's default 30 s.
 */
class SlowClientsTest {

    private static final int THREADS = 8;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

    @Test
    void stalledClientsNeitherHoldTheServerNorStayForever() throws Exception {
        try (WebServer server = HttpServers.builder("slow clients test").port(0).maxThreads(THREADS)
                .readTimeout(READ_TIMEOUT).start(routes -> {
                    routes.post("/echo", ctx -> ctx.json(HttpServers.jsonBody(ctx)));
                    routes.get("/live", ctx -> ctx.result("up"));
                })) {
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 3 * THREADS; i++) {
                    stalled.add(stall(server, "GET /live HTTP/1.1\r\nHost: localhost\r\nX-Slow: "));
                }
                for (int i = 0; i < THREADS / 2; i++) {
                    stalled.add(stall(server, "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                            + "application/json\r\nContent-Length: 1000\r\n\r\n{\"a\": \"012345678"));
                }
                long stalledAt = System.nanoTime();
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                for (int i = 0; i < 10; i++) {
                    HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/live"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(live.body()).isEqualTo("up");
                    HttpResponse<String> echo = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/echo"))
                            .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.ofString("{\"b\": 1}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(echo.body()).isEqualTo("{\"b\":1}");
                }
                // every stalled connection is ended by the server once the read timeout has passed: the socket
                // timeout, far below Jetty's default idle timeout of 30 s, fails the test with an exception otherwise
                for (Socket s : stalled) {
                    s.setSoTimeout((int) (READ_TIMEOUT.toMillis() * 4));
                    assertThat(drain(s.getInputStream())).as("the server closed the stalled connection").isTrue();
                }
                assertThat(Duration.ofNanos(System.nanoTime() - stalledAt)).isLessThan(READ_TIMEOUT.multipliedBy(4));
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    private static Socket stall(WebServer server, String partial) throws Exception {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
        OutputStream out = s.getOutputStream();
        out.write(partial.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** Reads until the server closes the connection (true), or the socket's timeout passes (an exception). */
    private static boolean drain(InputStream in) throws Exception {
        byte[] buffer = new byte[4096];
        while (in.read(buffer) != -1) {
            // a 408 or 400 answer before the close is fine
        }
        return true;
    }
}
