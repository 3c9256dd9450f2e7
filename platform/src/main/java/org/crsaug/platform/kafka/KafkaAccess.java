package org.crsaug.platform.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;

/**
 * What a secured cluster's refusals mean for the person running crs. Kafka's clients report a wrong password or
 * a missing ACL with exceptions that name neither our settings nor the principal; {@link #explain} turns them
 * into a {@link ConfigException} naming the {@code kafka.*} setting to fix, the principal and the ACL to grant,
 * and {@link #require} checks a service's topics before it starts, so a missing ACL fails at once instead of at
 * the first record. Authentication and authorization failures are not retried by the clients, so both come back
 * within seconds.
 */
public final class KafkaAccess {

    private static final Pattern JAAS_USER = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    private KafkaAccess() {
    }

    /** The principal the clients authenticate as, from {@code kafka.sasl.jaas.config}, for messages. */
    static String principal(CrsConfig config) {
        Matcher m = JAAS_USER.matcher(config.get("kafka.sasl.jaas.config", ""));
        return m.find() ? "User:" + m.group(1) : "the principal of these clients";
    }

    /** Whether the clients authenticate at all ({@code kafka.security.protocol} other than PLAINTEXT). */
    static boolean secured(CrsConfig config) {
        String protocol = config.get("kafka.security.protocol", "").strip();
        return !protocol.isEmpty() && !protocol.equalsIgnoreCase("PLAINTEXT");
    }

    /**
     * A clear error for an authentication or authorization failure anywhere in {@code e}'s causes; empty for any
     * other failure.
     */
    public static Optional<ConfigException> explain(Throwable e, CrsConfig config, String bootstrapServers) {
        String who = principal(config);
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SaslAuthenticationException || t instanceof AuthenticationException) {
                String mechanism = config.get("kafka.sasl.mechanism", "").strip();
                return Optional.of(new ConfigException("Kafka at " + bootstrapServers + " refused the login of " + who
                        + (mechanism.isEmpty() ? "" : " (SASL " + mechanism + ")") + ": " + t.getMessage()
                        + ". Check the user and password in kafka.sasl.jaas.config, kafka.sasl.mechanism and"
                        + " kafka.security.protocol", t));
            }
            if (t instanceof TopicAuthorizationException topics) {
                return Optional.of(denied(who, "topic(s) " + topics.unauthorizedTopics(),
                        "--operation Read (to consume) or Write (to produce) --topic <topic>", t));
            }
            if (t instanceof GroupAuthorizationException group) {
                return Optional.of(denied(who, "the consumer group " + group.groupId(),
                        "--operation Read --group " + group.groupId(), t));
            }
            if (t instanceof TransactionalIdAuthorizationException) {
                return Optional.of(denied(who, "its transactional ids", "--operation Write --transactional-id <id>"
                        + " --resource-pattern-type prefixed (the id prefix is the service's application id)", t));
            }
            if (t instanceof ClusterAuthorizationException) {
                // our producers are idempotent: with no Write ACL on any topic they need IdempotentWrite here
                return Optional.of(denied(who, "the cluster", "--operation IdempotentWrite --cluster, or Write on the"
                        + " topics it produces to (which implies it); Create for a user that creates topics", t));
            }
        }
        return Optional.empty();
    }

    private static ConfigException denied(String who, String what, String grant, Throwable cause) {
        return new ConfigException("Kafka denied " + who + " (the user in kafka.sasl.jaas.config) access to " + what
                + ": " + cause.getMessage() + ". Grant the missing ACL (kafka-acls.sh --add --allow-principal "
                + (who.startsWith("User:") ? who : "<principal>") + " " + grant + ") or use another user", cause);
    }

    /**
     * Checks, with one describe request, that the clients may read and write the named topics, and fails naming
     * every missing operation and the principal. Only when {@code kafka.security.protocol} asks for
     * authentication: without it there is no principal to grant anything to.
     *
     * @throws ConfigException naming the missing ACLs, or what {@link #explain} makes of a refusal
     */
    public static void require(Admin admin, CrsConfig config, String bootstrapServers, Collection<String> reads,
            Collection<String> writes) {
        if (!secured(config)) {
            return;
        }
        Map<String, AclOperation> needed = new TreeMap<>();
        reads.forEach(t -> needed.put(t, AclOperation.READ));
        // a topic both read and written needs both; WRITE is listed, READ is checked below as well
        writes.forEach(t -> needed.merge(t, AclOperation.WRITE, (a, b) -> AclOperation.ALL));
        if (needed.isEmpty()) {
            return;
        }
        Map<String, TopicDescription> described;
        try {
            described = admin.describeTopics(needed.keySet(), new DescribeTopicsOptions()
                    .includeAuthorizedOperations(true)).allTopicNames().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw explain(e.getCause(), config, bootstrapServers).orElseThrow(() -> new IllegalStateException(
                    "Cannot describe the topics " + needed.keySet() + " on " + bootstrapServers + ": "
                            + e.getCause().getMessage(), e.getCause()));
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while checking topic ACLs", e);
        }
        List<String> missing = new ArrayList<>();
        needed.forEach((topic, op) -> {
            Set<AclOperation> allowed = described.get(topic).authorizedOperations();
            for (AclOperation want : op == AclOperation.ALL ? List.of(AclOperation.READ, AclOperation.WRITE)
                    : List.of(op)) {
                if (allowed == null || !(allowed.contains(want) || allowed.contains(AclOperation.ALL))) {
                    missing.add(want + " on topic " + topic);
                }
            }
        });
        if (!missing.isEmpty()) {
            String who = principal(config);
            throw new ConfigException("Kafka does not allow " + who + " (the user in kafka.sasl.jaas.config) "
                    + String.join(", ", missing) + ". Grant the missing ACL (e.g. kafka-acls.sh --add --allow-principal "
                    + (who.startsWith("User:") ? who : "<principal>") + " --operation "
                    + missing.get(0).substring(0, missing.get(0).indexOf(' ')) + " --topic "
                    + missing.get(0).substring(missing.get(0).lastIndexOf(' ') + 1) + ") or use another user");
        }
    }
}
