package org.crsaug.platform.metrics;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.http.BearerToken;
import org.crsaug.platform.http.HttpServers;
import org.crsaug.platform.http.WebServer;

/**
 * A tiny HTTP endpoint a service exposes for operations: {@code /metrics} (Prometheus text),
 * {@code /health/live} (the process works) and {@code /health/ready} (it does useful work). Off unless
 * {@code metrics.port} is set, so embedded runs and tests open no extra ports.
 */
public final class MetricsServer implements AutoCloseable {

    public static final String PORT_KEY = "metrics.port";
    public static final String HOST_KEY = "metrics.host";
    /** Names the environment variable holding the bearer token; required when {@code metrics.host} is not loopback. */
    public static final String TOKEN_KEY = "metrics.api.token.env";

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final WebServer server;

    private MetricsServer(WebServer server) {
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
        return startIfConfigured(config, System.getenv(), live, ready);
    }

    /**
     * As {@link #startIfConfigured(CrsConfig, BooleanSupplier, BooleanSupplier)}, with the token's variable read
     * from {@code environment}.
     *
     * @throws ConfigException when the host is beyond loopback and {@code metrics.api.token.env} names no token
     */
    public static MetricsServer startIfConfigured(CrsConfig config, Map<String, String> environment,
            BooleanSupplier live, BooleanSupplier ready) {
        String port = config.get(PORT_KEY, "").strip();
        if (port.isEmpty() || port.equals("0")) {
            return null;
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new ConfigException(PORT_KEY + " must be a port number, got '" + port + "'");
        }
        return start(config.get(HOST_KEY, "127.0.0.1").strip(), p,
                BearerToken.fromConfig(config, TOKEN_KEY, environment).orElse(null), live, ready);
    }

    /** Starts on {@code host:port} (port 0 = any free port), open: {@code host} must be loopback. */
    public static MetricsServer start(String host, int port, BooleanSupplier live, BooleanSupplier ready) {
        return start(host, port, null, live, ready);
    }

    /** Starts on {@code host:port}; with a token every path but the health probes needs it. */
    public static MetricsServer start(String host, int port, BearerToken token, BooleanSupplier live,
            BooleanSupplier ready) {
        return new MetricsServer(HttpServers.builder("metrics endpoint").host(host).port(port)
                .hostSettings(HOST_KEY, TOKEN_KEY).bearerToken(token)
                .whenPortBusy("set another with --set " + PORT_KEY + "=N (or CRS_METRICS_PORT), or leave it empty"
                        + " to turn the endpoint off")
                .start(routes -> addRoutes(routes, live, ready)));
    }

    /**
     * Adds the three operations routes to a server, so one that has its own port (such as
     * {@code crs serve}) answers them the same way a service's metrics endpoint does.
     */
    public static void addRoutes(RoutesConfig routes, BooleanSupplier live, BooleanSupplier ready) {
        routes.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(CrsMetrics.registry().scrape()));
        routes.get("/health/live", ctx -> health(ctx, live.getAsBoolean()));
        routes.get("/health/ready", ctx -> health(ctx, ready.getAsBoolean()));
    }

    private static void health(Context ctx, boolean up) {
        ctx.status(up ? 200 : 503).json(Map.of("status", up ? "UP" : "DOWN"));
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
