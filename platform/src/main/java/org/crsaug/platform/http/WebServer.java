package org.crsaug.platform.http;

import io.javalin.Javalin;

/** A started server from {@link HttpServers}; closing it stops it, letting requests in flight finish. */
public final class WebServer implements AutoCloseable {

    private final String name;
    private final String host;
    private final Javalin app;

    WebServer(String name, String host, Javalin app) {
        this.name = name;
        this.host = host;
        this.app = app;
    }

    public String name() {
        return name;
    }

    /** The bound port, which is the one asked for unless that was 0. */
    public int port() {
        return app.port();
    }

    /** {@code http://host:port} without a trailing slash. */
    public String baseUrl() {
        return "http://" + host + ":" + port();
    }

    @Override
    public void close() {
        HttpServers.stopQuietly(app);
    }
}
