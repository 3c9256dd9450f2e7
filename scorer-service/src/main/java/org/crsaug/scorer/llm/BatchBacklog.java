package org.crsaug.scorer.llm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.crsaug.data.item.ItemText;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Item;
import org.crsaug.schema.JudgeBatchRequest;
import org.crsaug.schema.Judgement;

/**
 * What the scorer has yet to judge: the candidates past its consumer group's committed offsets (all of
 * them on a first run or a replay under a new application id), cut into the same chunks the online
 * judge would send, leaving out pairs already in the judgement cache or held by an open batch. Items
 * unknown to the items topic are left to the online path, which dead-letters their context with the reason.
 */
final class BatchBacklog {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(120);

    /** One request line to be: its ledger entry and what the judge needs to write and read it. */
    record Planned(JudgeBatchRequest entry, String contextText, List<LlmJudge.Pending> pending) {
    }

    private final Platform platform;

    BatchBacklog(Platform platform) {
        this.platform = platform;
    }

    Map<String, Item> items() {
        Map<String, Item> items = new HashMap<>();
        read(Topics.ITEMS, "scorer-batch-items", (k, v) -> items.put(k, v));
        return items;
    }

    Set<String> cachedKeys() {
        Set<String> keys = new HashSet<>();
        read(Topics.JUDGEMENTS, "scorer-batch-cache", (k, v) -> keys.add(k));
        return keys;
    }

    /** The uncached pairs of the backlog, one planned line per chunk of {@code scorer.llm.batch.size}. */
    List<Planned> plan(LlmJudge judge, Map<String, Item> items, Set<String> taken, String groupId) {
        Map<TopicPartition, Long> committed = committed(groupId);
        Set<String> seen = new HashSet<>(taken);
        List<Planned> out = new ArrayList<>();
        int chunk = judge.settings().batchSize();
        try (TopicFollower<Candidates> follower = new TopicFollower<>(platform, Topics.CANDIDATES,
                "scorer-batch-backlog")) {
            follower.catchUp(r -> {
                Long from = committed.get(new TopicPartition(r.topic(), r.partition()));
                if (r.value() == null || (from != null && r.offset() < from)) {
                    return;
                }
                Candidates c = r.value();
                List<LlmJudge.Pending> pending = new ArrayList<>();
                for (Candidate candidate : c.getItems()) {
                    Item item = items.get(candidate.getItemId());
                    if (item == null) {
                        continue;
                    }
                    String key = LlmJudge.cacheKey(judge.settings().model(), judge.prompt().version(),
                            c.getContextText(), ItemText.describe(item));
                    // a replayed context, or an item listed twice, is asked for once
                    if (seen.add(key)) {
                        pending.add(new LlmJudge.Pending(candidate.getItemId(), item, key));
                    }
                }
                for (int i = 0; i < pending.size(); i += chunk) {
                    List<LlmJudge.Pending> part = pending.subList(i, Math.min(pending.size(), i + chunk));
                    out.add(new Planned(JudgeBatchRequest.newBuilder().setCustomId(part.get(0).cacheKey())
                            .setContextId(c.getContextId())
                            .setItemIds(part.stream().map(LlmJudge.Pending::itemId).toList())
                            .setCacheKeys(part.stream().map(LlmJudge.Pending::cacheKey).toList()).build(),
                            c.getContextText(), List.copyOf(part)));
                }
            }, READ_TIMEOUT);
        }
        return out;
    }

    private Map<TopicPartition, Long> committed(String groupId) {
        try (Admin admin = Admin.create(platform.adminProps())) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(READ_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            offsets.forEach((tp, o) -> {
                if (o != null) {
                    out.put(tp, o.offset());
                }
            });
            return out;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not read the committed offsets of " + groupId + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the offsets of " + groupId, e);
        }
    }

    private <V extends org.apache.avro.specific.SpecificRecord> void read(org.crsaug.platform.topic.TopicSpec<V> spec,
            String clientId, java.util.function.BiConsumer<String, V> handler) {
        try (TopicFollower<V> follower = new TopicFollower<>(platform, spec, clientId)) {
            follower.catchUp(r -> {
                if (r.key() != null && r.value() != null) {
                    handler.accept(r.key(), r.value());
                }
            }, READ_TIMEOUT);
        }
    }
}
