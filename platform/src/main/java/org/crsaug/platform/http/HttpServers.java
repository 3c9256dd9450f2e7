package org.crsaug.platform.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import java.net.BindException;
import java.time.Duration;
import java.util.function.Consumer;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place an HTTP server of this project is built, so every server reads and writes JSON with
 * the same mapper, limits request bodies, answers failures as JSON with the same statuses, binds
 * port 0, stops gracefully and keeps quiet when it starts. A server only adds its routes:
 *
 * <pre>{@code
 * WebServer s = HttpServers.builder("metrics").host(host).port(port)
 *         .whenPortBusy("set another with --set metrics.port=N")
 *         .start(routes -> routes.get("/metrics", ctx -> ctx.result(scrape())));
 * }</pre>
 *
 * <p>Failures map as follows: {@link HttpError} to its status; a body that is not JSON to 400 naming
 * the problem; a body over the limit to 413; an unknown path to 404 and a known path with another
 * method to 405; anything else to 500, logged with its stack trace.
 */
public final class HttpServers {

    private static final Logger log = LoggerFactory.getLogger(HttpServers.class);

    /** What a body may hold unless a server says otherwise; a dialogue or a schema is far smaller. */
    public static final long DEFAULT_MAX_BODY_BYTES = 1 << 20;

    /**
     * How long a connection may send nothing (headers or body) before it is closed: a client that stalls
     * mid-request holds a worker thread (bodies are read by the handler) for at most this long.
     */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Answered without a token: liveness and readiness probes (Kubernetes, Docker's HEALTHCHECK) cannot be given
     * a secret, and they say no more than UP or DOWN.
     */
    public static final java.util.Set<String> OPEN_PATHS = java.util.Set.of("/health/live", "/health/ready");

    /** The mapper every server reads and writes bodies with. */
    public static final ObjectMapper JSON = new ObjectMapper();

    private HttpServers() {
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * The request body as JSON, or null when it is empty (protocols such as Confluent's answer an
     * empty body with their own error); a body that is not JSON is refused with 400.
     */
    public static JsonNode jsonBody(Context ctx) {
        byte[] bytes = ctx.bodyAsBytes(); // enforces the body limit
        if (bytes.length == 0) {
            return null;
        }
        try {
            return JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw notJson(e);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The 413 message, also for a handler that reports the refusal elsewhere (a dead letter) before answering. */
    public static String tooLarge(long maxBodyBytes, String hint) {
        return "The request body is larger than " + maxBodyBytes + " bytes" + (hint.isEmpty() ? "" : "; " + hint);
    }

    private static HttpError notJson(JsonProcessingException e) {
        return new HttpError(400, "The request body is not JSON: " + e.getOriginalMessage());
    }

    public static final class Builder {
        private final String name;
        private String host = "127.0.0.1";
        private int port;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private ErrorFormat errors = ErrorFormat.SIMPLE;
        private int maxThreads = 32;
        private Duration stopGrace = Duration.ofSeconds(2);
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private String portBusyHint = "stop the process holding it or choose another port (0 = any free port)";
        private String notFoundHint = "";
        private String tooLargeHint = "";
        private BearerToken token;
        private String hostSetting = "host";
        private String tokenSetting;
        private final java.util.Set<String> openPaths = new java.util.HashSet<>(OPEN_PATHS);

        private Builder(String name) {
            this.name = name;
        }

        /** Interface to listen on; loopback unless the server is meant to be reached from outside. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /**
         * The setting (or flag) that chooses the host and the one that names the token's variable, for the
         * refusal of a server bound beyond loopback without a token; {@code tokenSetting} null when the server
         * has no token setting (it must then stay on loopback).
         */
        public Builder hostSettings(String hostSetting, String tokenSetting) {
            this.hostSetting = hostSetting;
            this.tokenSetting = tokenSetting;
            return this;
        }

        /**
         * Requests must carry {@code Authorization: Bearer <token>} (401 otherwise), except on the health probes
         * and the paths of {@link #openPaths}; null leaves the server open, which only a loopback host may be.
         */
        public Builder bearerToken(BearerToken token) {
            this.token = token;
            return this;
        }

        /** Paths answered without the token: pages that hold no data and fetch it with the token themselves. */
        public Builder openPaths(String... paths) {
            openPaths.addAll(java.util.List.of(paths));
            return this;
        }

        /** 0 picks any free port; {@link WebServer#port()} tells which. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder maxBodyBytes(long maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        public Builder errors(ErrorFormat errors) {
            this.errors = errors;
            return this;
        }

        /** Requests handled at once; a handler that sleeps or waits on a model holds one. */
        public Builder maxThreads(int maxThreads) {
            this.maxThreads = maxThreads;
            return this;
        }

        /** Idle time after which a connection that sends nothing is closed (default {@link #DEFAULT_READ_TIMEOUT}). */
        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = readTimeout;
            return this;
        }

        /** How long {@link WebServer#close()} lets requests in flight finish. */
        public Builder stopGrace(Duration stopGrace) {
            this.stopGrace = stopGrace;
            return this;
        }

        /** What to tell the user when the port is taken: the setting or flag that changes it. */
        public Builder whenPortBusy(String hint) {
            this.portBusyHint = hint;
            return this;
        }

        /** What a 404 for an unknown path adds, e.g. where the API is, for someone exploring with curl. */
        public Builder whenNotFound(String hint) {
            this.notFoundHint = hint;
            return this;
        }

        /** What a 413 adds: the setting that raises the limit, or how to split the request. */
        public Builder whenTooLarge(String hint) {
            this.tooLargeHint = hint;
            return this;
        }

        /**
         * Binds, starts and returns the server.
         *
         * @throws IllegalStateException with the port-busy hint when the port is taken
         */
        public WebServer start(Consumer<RoutesConfig> routes) {
            BearerToken.requireBeyondLoopback(name, host, token, hostSetting, tokenSetting);
            Javalin app = Javalin.create(config -> {
                configure(config);
                mapErrors(config.routes);
                if (token != null) {
                    requireToken(config.routes);
                }
                routes.accept(config.routes);
            });
            try {
                app.start(host, port);
            } catch (RuntimeException e) {
                stopQuietly(app);
                if (causedByBind(e)) {
                    throw new IllegalStateException("Cannot listen on " + host + ":" + port + " for the " + name
                            + ": the port is probably in use; " + portBusyHint, e);
                }
                throw new IllegalStateException("Cannot start the " + name + " on " + host + ":" + port + ": " + e,
                        e);
            }
            // set on the started connectors, before any client can connect: Javalin adds its own connector at
            // start, and Jetty's default idle timeout (30 s) would let a stalled client hold a worker that long
            for (org.eclipse.jetty.server.Connector c : app.jettyServer().server().getConnectors()) {
                if (c instanceof org.eclipse.jetty.server.AbstractConnector connector) {
                    connector.setIdleTimeout(readTimeout.toMillis());
                }
            }
            return new WebServer(name, host, app);
        }

        private void configure(JavalinConfig config) {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jsonMapper(new JavalinJackson(JSON, false));
            config.http.maxRequestSize = maxBodyBytes;
            config.http.prefer405over404 = true;
            // clients join base URLs and paths loosely ("http://h:1/" + "/subjects"); both forms must route
            config.router.ignoreTrailingSlashes = true;
            config.router.treatMultipleSlashesAsSingleSlash = true;
            QueuedThreadPool pool = new QueuedThreadPool(maxThreads, Math.min(2, maxThreads));
            pool.setName(name.replace(' ', '-') + "-http");
            // as before Javalin: a server nobody closed must not keep the JVM (or a test run) alive
            pool.setDaemon(true);
            config.jetty.threadPool = pool;
            config.jetty.modifyServer(server -> server.setStopTimeout(stopGrace.toMillis()));
        }

        private void requireToken(RoutesConfig routes) {
            routes.before(ctx -> {
                if (!openPaths.contains(ctx.path()) && !token.acceptsHeader(ctx.header("Authorization"))) {
                    // the header is never echoed or logged: it may hold a near-miss of the real token
                    ctx.header("WWW-Authenticate", "Bearer");
                    throw new HttpError(401, "This server needs 'Authorization: Bearer <token>', the token in the"
                            + " environment variable named by " + token.setting() + " where it runs");
                }
            });
        }

        private void mapErrors(RoutesConfig routes) {
            routes.exception(HttpError.class, (e, ctx) -> answer(ctx, e.status(), e.code(), e.getMessage()));
            routes.exception(HttpResponseException.class,
                    (e, ctx) -> answer(ctx, e.getStatus(), e.getStatus(), describe(e, ctx)));
            // from ctx.bodyAsClass: a malformed body, or JSON of the wrong shape, is the client's mistake
            routes.exception(StreamReadException.class, (e, ctx) -> answerNotJson(ctx, e));
            routes.exception(MismatchedInputException.class, (e, ctx) -> answerNotJson(ctx, e));
            routes.exception(Exception.class, (e, ctx) -> {
                log.warn("{}: {} {} failed", name, ctx.method(), ctx.path(), e);
                answer(ctx, 500, 500, "Internal error: " + e + " (details in the log)");
            });
        }

        private void answerNotJson(Context ctx, JsonProcessingException e) {
            HttpError error = notJson(e);
            answer(ctx, error.status(), error.code(), error.getMessage());
        }

        private String describe(HttpResponseException e, Context ctx) {
            return switch (e.getStatus()) {
                case 413 -> tooLarge(maxBodyBytes, tooLargeHint);
                case 404 -> "No such endpoint: " + ctx.method() + " " + ctx.path()
                        + (notFoundHint.isEmpty() ? "" : "; " + notFoundHint);
                case 405 -> "Method " + ctx.method() + " is not allowed on " + ctx.path()
                        + (e.getDetails().isEmpty() ? "" : " " + e.getDetails());
                default -> e.getMessage();
            };
        }

        private void answer(Context ctx, int status, int code, String message) {
            try {
                ctx.status(status).contentType(errors.contentType())
                        .result(JSON.writeValueAsString(errors.body().of(status, code, message)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("Cannot write the error answer for: " + message, e);
            }
        }
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    static void stopQuietly(Javalin app) {
        try {
            app.stop();
        } catch (RuntimeException e) {
            log.debug("Stopping a server that failed to start", e);
        }
    }
}
