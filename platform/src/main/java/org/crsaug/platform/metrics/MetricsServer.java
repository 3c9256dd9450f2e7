package org.crsaug.platform.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.crsaug.platform.config.CrsConfig;

/**
 * A tiny HTTP endpoint a service exposes for operations: {@code /metrics} (Prometheus text),
 * {@code /health/live} (the process works) and {@code /health/ready} (it does useful work). Off unless
 * {@code metrics.port} is set, so embedded runs and tests open no extra ports.
 */
public final class MetricsServer implements AutoCloseable {

    public static final String PORT_KEY = "metrics.port";
    public static final String HOST_KEY = "metrics.host";

    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts the endpoint when {@code metrics.port} is set and not 0; returns null otherwise.
     *
     * @param live  false once the service has failed
     * @param ready true while the service is doing its work
     * @throws IllegalStateException naming the setting to change when the port is taken
     */
    public static MetricsServer startIfConfigured(CrsConfig config, BooleanSupplier live, BooleanSupplier ready) {
        String port = config.get(PORT_KEY, "").strip();
        if (port.isEmpty() || port.equals("0")) {
            return null;
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new org.crsaug.platform.config.ConfigException(PORT_KEY + " must be a port number, got '" + port + "'");
        }
        return start(config.get(HOST_KEY, "0.0.0.0").strip(), p, live, ready);
    }

    /** Starts on {@code host:port} (port 0 = any free port). */
    public static MetricsServer start(String host, int port, BooleanSupplier live, BooleanSupplier ready) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (BindException e) {
            throw new IllegalStateException("Cannot open the metrics endpoint on " + host + ":" + port + " ("
                    + e.getMessage() + "); the port is probably in use: set another with --set " + PORT_KEY
                    + "=N (or CRS_METRICS_PORT), or leave it empty to turn the endpoint off");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the metrics endpoint on " + host + ":" + port, e);
        }
        server.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                CrsMetrics.registry().scrape()));
        server.createContext("/health/live", ex -> health(ex, live.getAsBoolean()));
        server.createContext("/health/ready", ex -> health(ex, ready.getAsBoolean()));
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return new MetricsServer(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void health(HttpExchange ex, boolean up) throws IOException {
        send(ex, up ? 200 : 503, "application/json", up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
