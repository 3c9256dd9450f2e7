package org.crsaug.retriever;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.crsaug.model.encoder.TextEncoders;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.service.WorkerService;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.streams.StreamsService;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.EmbeddingKind;
import org.crsaug.schema.Item;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Indexes the catalogue and the co-mention statistics of the training dialogues, then turns each
 * dialogue into context embeddings and top-k candidates. The dialogue stream starts only once the
 * index holds every item published so far and the statistics every dialogue, so early contexts are
 * not retrieved against half a catalogue. Afterwards both keep following their topics.
 */
public final class RetrieverService extends WorkerService {

    public static final String APPLICATION_ID = "crs-retriever";
    public static final String RERETRIEVE_KEY = "retriever.reretrieve.on.item";
    private static final Logger LOG = LoggerFactory.getLogger(RetrieverService.class);

    private final Platform platform;
    private final RetrieverSettings settings;
    private volatile RetrieverParts parts;
    private CountingEncoder encoder;
    private volatile ItemIndexer indexer;
    private TopicFollower<Dialogue> dialogues;
    private StreamsService streams;

    public RetrieverService(Platform platform) {
        super("retriever");
        this.platform = platform;
        this.settings = RetrieverSettings.fromConfig(platform.config());
    }

    /**
     * Refuses what the service would refuse for these settings (its own, the encoder's and an {@code openai}
     * encoder's key) when built or once its thread loads the encoder, loading no model: commands check it
     * before any work starts.
     */
    public static void checkSettings(org.crsaug.platform.config.CrsConfig config, Map<String, String> env) {
        RetrieverSettings.fromConfig(config);
        TextEncoders.checkSettings(config, env);
        config.getBoolean(RERETRIEVE_KEY);
    }

    @Override
    protected long stopTimeoutMs() {
        return 10_000;
    }

    @Override
    protected void work() {
        Path modelCache = platform.config().modelCache();
        encoder = new CountingEncoder(TextEncoders.create(platform.config(), modelCache));
        EmbeddingCache cache = EmbeddingCache.load(platform, encoder.id(), APPLICATION_ID + "-embedding-cache",
                Duration.ofMinutes(2));
        LOG.info("Reusing {} item and {} context embeddings of encoder {}", cache.count(EmbeddingKind.ITEM),
                cache.count(EmbeddingKind.CONTEXT), encoder.id());
        Map<String, Item> catalogue = new ConcurrentHashMap<>();
        RetrieverParts plain = RetrieverParts.of(encoder, cache, catalogue, settings);
        RetrieverParts p = platform.config().getBoolean(RERETRIEVE_KEY) ? plain.withReretrieval() : plain;
        indexer = new ItemIndexer(platform, p, APPLICATION_ID);
        indexer.catchUp(Duration.ofMinutes(10));
        dialogues = new TopicFollower<>(platform, Topics.DIALOGUES, APPLICATION_ID + "-co-mentions");
        dialogues.catchUp(r -> p.coMentions().put(r.key(), r.value()), Duration.ofMinutes(2));
        parts = p;
        LOG.info("Item index ready with {} items, co-mentions from {} dialogues; starting {} retrieval",
                p.index().size(), p.coMentions().dialogueCount(), settings.source());
        streams = new StreamsService("retriever", platform, APPLICATION_ID, RetrieverTopology.build(platform, p));
        streams.start();
        markReady();
        while (running()) {
            indexer.poll(Duration.ofMillis(250));
            dialogues.pollOnce(r -> p.coMentions().put(r.key(), r.value()), Duration.ofMillis(250));
        }
    }

    @Override
    public synchronized void stop() {
        super.stop();
        if (streams != null) {
            streams.stop();
        }
        if (indexer != null) {
            indexer.close();
        }
        if (dialogues != null) {
            dialogues.close();
        }
        if (encoder != null) {
            encoder.close();
        }
    }

    @Override
    public boolean isReady() {
        return streams != null && streams.isReady();
    }

    @Override
    public Throwable failure() {
        Throwable own = super.failure();
        return own != null ? own : streams == null ? null : streams.failure();
    }

    public int indexedItems() {
        RetrieverParts p = parts;
        return p == null ? 0 : p.index().size();
    }

    /** Contexts whose candidates were published again because a new or changed item entered them. */
    public long reretrievedContexts() {
        ItemIndexer i = indexer;
        return i == null ? 0 : i.reretrievedCount();
    }

    /** Texts (items and contexts) this instance has encoded since it started; cached ones are not counted. */
    public long encodedTexts() {
        CountingEncoder e = encoder;
        return e == null ? 0 : e.encodedTexts();
    }
}
