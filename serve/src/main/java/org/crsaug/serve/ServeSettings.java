package org.crsaug.serve;

import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.http.BearerToken;

/**
 * Knobs of {@code crs serve}, read once from configuration.
 *
 * @param dataset         only checkpoints trained on this dataset are served
 * @param selectionMetric checkpoint metric that decides which one is best (higher wins)
 * @param defaultK        items per answer when the request does not say
 * @param host            interface the HTTP server binds to
 * @param port            HTTP port (0 = any free port)
 * @param contextMaxChars most recent dialogue text given to the encoder, as the retriever does
 * @param token           what every request but the pages and health probes must carry; null = none (loopback only)
 */
public record ServeSettings(String dataset, String selectionMetric, int defaultK, String host, int port,
                            int contextMaxChars, BearerToken token) {

    public static final int MAX_K = 100;
    /** How the server is named in messages. */
    public static final String SERVER_NAME = "recommendation server";
    public static final String HOST_KEY = "serve.host";
    public static final String TOKEN_KEY = "serve.api.token.env";

    /** Reads the token from this process's environment. */
    public static ServeSettings fromConfig(CrsConfig config) {
        return fromConfig(config, System.getenv());
    }

    /**
     * @throws ConfigException before anything starts when a setting is out of range, or the host is beyond
     *     loopback without a token ({@link BearerToken#requireBeyondLoopback})
     */
    public static ServeSettings fromConfig(CrsConfig config, java.util.Map<String, String> environment) {
        int k = config.getInt("serve.top.k");
        if (k < 1 || k > MAX_K) {
            throw new ConfigException("serve.top.k must be between 1 and " + MAX_K + ", got " + k);
        }
        int port = config.getInt("serve.port");
        if (port < 0 || port > 65535) {
            throw new ConfigException("serve.port must be between 0 and 65535, got " + port);
        }
        String host = config.get(HOST_KEY).strip();
        BearerToken token = BearerToken.fromConfig(config, TOKEN_KEY, environment).orElse(null);
        BearerToken.requireBeyondLoopback(SERVER_NAME, host, token, HOST_KEY + ", flag --host", TOKEN_KEY);
        return new ServeSettings(config.get("serve.dataset").strip(), config.get("serve.selection.metric").strip(), k,
                host, port, config.getInt("retriever.context.max.chars"), token);
    }
}
