package org.crsaug.model.llm;


import java.time.Duration;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;

/** The {@code scorer.llm.*} settings, checked once. The API key is not among them: see {@link #apiKey}. */
public record LlmSettings(String baseUrl, String model, String promptName, int batchSize, int maxInFlight,
        double requestsPerMinute, double tokensPerMinute, int replicas, Duration timeout, int maxAttempts,
        Duration backoffBase, Duration backoffMax, Duration contextDeadline, long maxTokens, double temperature,
        double inputPricePerMTok, double outputPricePerMTok) {

    public LlmSettings {
        if (batchSize < 1 || maxInFlight < 1 || replicas < 1 || maxAttempts < 1) {
            throw new ConfigException("scorer.llm.batch.size, scorer.llm.max.in.flight, scorer.replicas and"
                    + " scorer.llm.max.attempts must be at least 1");
        }
        if (baseUrl == null || baseUrl.isBlank() || model == null || model.isBlank()) {
            throw new ConfigException("scorer.llm.base.url and scorer.llm.model must be set for scorer.judge=llm");
        }
    }

    public static LlmSettings from(CrsConfig c) {
        return new LlmSettings(c.get("scorer.llm.base.url"), c.get("scorer.llm.model"), c.get("scorer.llm.prompt"),
                c.getInt("scorer.llm.batch.size"), c.getInt("scorer.llm.max.in.flight"),
                c.getDouble("scorer.llm.requests.per.minute"), c.getDouble("scorer.llm.tokens.per.minute"),
                c.getInt("scorer.replicas"), Duration.ofMillis(c.getLong("scorer.llm.timeout.ms")),
                c.getInt("scorer.llm.max.attempts"), Duration.ofMillis(c.getLong("scorer.llm.backoff.base.ms")),
                Duration.ofMillis(c.getLong("scorer.llm.backoff.max.ms")),
                Duration.ofMillis(c.getLong("scorer.llm.context.deadline.ms")), c.getLong("scorer.llm.max.tokens"),
                c.getDouble("scorer.llm.temperature"), c.getDouble("scorer.llm.price.input.per.mtok"),
                c.getDouble("scorer.llm.price.output.per.mtok"));
    }

    /**
     * The API key, read from the environment variable that {@code scorer.llm.api.key.env} names; the
     * key stays in memory only, configuration and logs only ever name the variable.
     *
     * @param usedBy the setting that needs the key, named in the error
     */
    public static String apiKey(CrsConfig config, java.util.Map<String, String> environment, String usedBy) {
        String variable = config.get("scorer.llm.api.key.env");
        String key = variable == null || variable.isBlank() ? null : environment.get(variable);
        if (key == null || key.isBlank()) {
            throw new ConfigException(usedBy + " needs an API key in the environment variable named by"
                    + " scorer.llm.api.key.env (now '" + variable + "'); for a local server without keys set it"
                    + " to any non-empty value");
        }
        return key;
    }

    /** This process's share of the budget shared by all replicas. */
    public RequestLimiter limiter() {
        return new RequestLimiter(requestsPerMinute / replicas, tokensPerMinute / replicas);
    }
}
