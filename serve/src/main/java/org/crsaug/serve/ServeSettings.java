package org.crsaug.serve;

import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;

/**
 * Knobs of {@code crs serve}, read once from configuration.
 *
 * @param dataset         only checkpoints trained on this dataset are served
 * @param selectionMetric checkpoint metric that decides which one is best (higher wins)
 * @param defaultK        items per answer when the request does not say
 * @param host            interface the HTTP server binds to
 * @param port            HTTP port (0 = any free port)
 * @param contextMaxChars most recent dialogue text given to the encoder, as the retriever does
 */
public record ServeSettings(String dataset, String selectionMetric, int defaultK, String host, int port,
                            int contextMaxChars) {

    public static final int MAX_K = 100;

    public static ServeSettings fromConfig(CrsConfig config) {
        int k = config.getInt("serve.top.k");
        if (k < 1 || k > MAX_K) {
            throw new ConfigException("serve.top.k must be between 1 and " + MAX_K + ", got " + k);
        }
        int port = config.getInt("serve.port");
        if (port < 0 || port > 65535) {
            throw new ConfigException("serve.port must be between 0 and 65535, got " + port);
        }
        return new ServeSettings(config.get("serve.dataset").strip(), config.get("serve.selection.metric").strip(), k,
                config.get("serve.host").strip(), port, config.getInt("retriever.context.max.chars"));
    }
}
