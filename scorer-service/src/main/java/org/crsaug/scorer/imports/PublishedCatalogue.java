package org.crsaug.scorer.imports;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.context.RetrievalText;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Item;
import org.crsaug.schema.Judgement;

/**
 * The items, the contexts of the published dialogues and the judgement cache, read to their end once. A
 * context's text is derived as the retriever derives it ({@link RetrievalText#dialogue} at
 * {@code retriever.context.max.chars}), which is what the scorer's cache key is computed from.
 */
public final class PublishedCatalogue implements JudgementImport.Catalogue {

    private static final Duration READ_WAIT = Duration.ofSeconds(60);

    private final Map<String, Item> items = new HashMap<>();
    private final Map<String, String> contexts = new HashMap<>();
    private final Map<String, Judgement> cache = new HashMap<>();

    public PublishedCatalogue(Platform platform, int contextMaxChars, String clientId) {
        try (TopicFollower<Item> f = new TopicFollower<>(platform, Topics.ITEMS, clientId + "-items")) {
            f.catchUp(TopicFollower.latestInto(items), READ_WAIT);
        }
        Map<String, Map<String, String>> byDialogue = new HashMap<>();
        try (TopicFollower<org.crsaug.schema.Dialogue> f = new TopicFollower<>(platform, Topics.DIALOGUES,
                clientId + "-dialogues")) {
            f.catchUp(r -> {
                // the latest version of a dialogue decides its contexts, as it does for the retriever
                byDialogue.remove(r.key());
                if (r.value() != null) {
                    Map<String, String> texts = new HashMap<>();
                    for (DialogueContext c : DialogueContexts.derive(r.value())) {
                        texts.put(c.contextId(), RetrievalText.dialogue(c, contextMaxChars));
                    }
                    byDialogue.put(r.key(), texts);
                }
            }, READ_WAIT);
        }
        byDialogue.values().forEach(contexts::putAll);
        try (TopicFollower<Judgement> f = new TopicFollower<>(platform, Topics.JUDGEMENTS, clientId + "-judgements")) {
            f.catchUp(TopicFollower.latestInto(cache), READ_WAIT);
        }
    }


    @Override
    public Optional<String> contextText(String contextId) {
        return Optional.ofNullable(contexts.get(contextId));
    }

    @Override
    public Optional<Item> item(String itemId) {
        return Optional.ofNullable(items.get(itemId));
    }

    @Override
    public Optional<Judgement> cached(String cacheKey) {
        return Optional.ofNullable(cache.get(cacheKey));
    }
}
