package org.crsaug.platform.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;

/**
 * The secret an HTTP client must send as {@code Authorization: Bearer <token>}. Configuration holds only the
 * name of the environment variable that holds it ({@code serve.api.token.env}, {@code metrics.api.token.env}),
 * never the token, so it is in no file, no {@code --set} flag, no printed configuration and no log line; this
 * object keeps only its SHA-256 digest, and comparing digests takes the same time whatever the client sent.
 */
public final class BearerToken {

    /** Shorter tokens are refused: a guessable token is no protection for a server others can reach. */
    public static final int MIN_LENGTH = 16;

    private static final String SCHEME = "bearer ";

    private final byte[] digest;
    private final String setting;

    private BearerToken(String token, String setting) {
        this.digest = sha256(token);
        this.setting = setting;
    }

    /** A token given directly, for servers and tests that do not read configuration. */
    public static BearerToken of(String token, String setting) {
        if (token == null || token.strip().length() < MIN_LENGTH) {
            throw new ConfigException("The bearer token named by " + setting + " must have at least " + MIN_LENGTH
                    + " characters (e.g. openssl rand -hex 24)");
        }
        return new BearerToken(token.strip(), setting);
    }

    /**
     * The token in the environment variable that {@code setting} names; empty when the setting is empty.
     *
     * @throws ConfigException naming the setting and the variable when the variable is unset, empty or too short
     */
    public static Optional<BearerToken> fromConfig(CrsConfig config, String setting, Map<String, String> environment) {
        String variable = config.get(setting, "").strip();
        if (variable.isEmpty()) {
            return Optional.empty();
        }
        String token = environment.get(variable);
        if (token == null || token.isBlank()) {
            throw new ConfigException(setting + " names the environment variable " + variable + ", which is not set"
                    + " or empty: export " + variable + "=<token> (e.g. the output of openssl rand -hex 24), or empty "
                    + setting + " to run without a token on a loopback address");
        }
        if (token.strip().length() < MIN_LENGTH) {
            throw new ConfigException("The token in " + variable + " (named by " + setting + ") has fewer than "
                    + MIN_LENGTH + " characters; use a longer one (e.g. openssl rand -hex 24)");
        }
        return Optional.of(new BearerToken(token.strip(), setting));
    }

    /** Whether an {@code Authorization} header value carries this token. */
    public boolean acceptsHeader(String authorization) {
        if (authorization == null || authorization.length() < SCHEME.length()
                || !authorization.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            return false;
        }
        // digests have one length, so isEqual compares every byte whatever the client sent
        return MessageDigest.isEqual(digest, sha256(authorization.substring(SCHEME.length()).strip()));
    }

    /** The setting that names the token's variable, for messages. */
    public String setting() {
        return setting;
    }

    @Override
    public String toString() {
        return "bearer token (from the variable named by " + setting + ")";
    }

    /**
     * Whether {@code host} is a loopback interface, which only this machine can reach: {@code 127.0.0.1},
     * {@code ::1}, {@code localhost}. {@code 0.0.0.0} (every interface) and names that do not resolve are not.
     */
    public static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Refuses a server bound beyond loopback without a token, naming the settings that fix it; called where the
     * settings are read (before any work starts) and again by {@link HttpServers.Builder#start}.
     *
     * @param hostSetting  the setting or flag that chooses the interface, for the message
     * @param tokenSetting the setting that names the token's variable; null when the server has none
     */
    public static void requireBeyondLoopback(String server, String host, BearerToken token, String hostSetting,
            String tokenSetting) {
        if (token != null || isLoopback(host)) {
            return;
        }
        String fix = tokenSetting == null
                ? "this server has no token setting, so it must listen on 127.0.0.1"
                : "set " + tokenSetting + " to the name of an environment variable holding a token (clients then"
                        + " send 'Authorization: Bearer <token>'), or listen on 127.0.0.1";
        throw new ConfigException("The " + server + " would listen on " + host + " (" + hostSetting + "), which other"
                + " machines can reach, without a bearer token: " + fix);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
