package org.crsaug.scorer.semantic;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Item;
import org.crsaug.schema.Judgement;
import org.crsaug.scorer.JudgeInputs;
import org.crsaug.scorer.KafkaJudgementJournal;

/**
 * What a judge looks up outside the scorer's topology: the items and the judgement cache, both read to
 * their end once, and new judgements written to the compacted {@code judgements} topic the moment they are
 * paid for (the scorer's journal), so the scorer, a later evaluation and {@code crs export judgements} all
 * find them.
 */
public final class PublishedJudgeInputs implements JudgeInputs, AutoCloseable {

    private static final Duration READ_WAIT = Duration.ofSeconds(60);

    private final Map<String, Item> items = new ConcurrentHashMap<>();
    private final Map<String, Judgement> cache = new ConcurrentHashMap<>();
    private final KafkaJudgementJournal journal;

    public PublishedJudgeInputs(Platform platform, String clientId) {
        try (TopicFollower<Item> f = new TopicFollower<>(platform, Topics.ITEMS, clientId + "-items")) {
            f.catchUp(TopicFollower.latestInto(items), READ_WAIT);
        }
        try (TopicFollower<Judgement> f = new TopicFollower<>(platform, Topics.JUDGEMENTS, clientId + "-judgements")) {
            f.catchUp(TopicFollower.latestInto(cache), READ_WAIT);
        }
        this.journal = new KafkaJudgementJournal(platform);
    }


    public Map<String, Item> items() {
        return items;
    }

    @Override
    public Optional<Item> item(String itemId) {
        return Optional.ofNullable(items.get(itemId));
    }

    @Override
    public Optional<Judgement> cached(String cacheKey) {
        return Optional.ofNullable(cache.get(cacheKey));
    }

    @Override
    public void remember(List<Judgement> paid) {
        if (!journal.record(paid)) {
            throw new IllegalStateException("Could not write " + paid.size() + " paid judgements to the judgements"
                    + " topic; see the log");
        }
        paid.forEach(j -> cache.put(j.getCacheKey(), j));
    }

    @Override
    public void close() {
        journal.close();
    }
}
