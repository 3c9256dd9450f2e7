package org.crsaug.retriever;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.crsaug.data.embedding.Embeddings;
import org.crsaug.model.encoder.TextEncoders;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.service.WorkerService;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.streams.StreamsService;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.ContextEmbedding;
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
    static final String STREAM_THREADS_KEY = "retriever.stream.threads";
    private static final Logger LOG = LoggerFactory.getLogger(RetrieverService.class);

    private final Platform platform;
    private final RetrieverSettings settings;
    private volatile RetrieverParts parts;
    private CountingEncoder encoder;
    private volatile ItemIndexer indexer;
    private TopicFollower<Dialogue> dialogues;
    private StreamsService streams;
    private EmbeddingCache embeddingCache;

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
        streamThreads(config);
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
                platform.config().getPath("state.dir").resolve("cache").resolve("retriever"), Duration.ofMinutes(2));
        embeddingCache = cache;
        LOG.info("Reusing {} item and {} context embeddings of encoder {}", cache.count(EmbeddingKind.ITEM),
                cache.count(EmbeddingKind.CONTEXT), encoder.id());
        Map<String, Item> catalogue = new ConcurrentHashMap<>();
        RetrieverParts plain = RetrieverParts.of(encoder, cache, catalogue, settings);
        RetrieverParts p = platform.config().getBoolean(RERETRIEVE_KEY) ? plain.withReretrieval() : plain;
        indexer = new ItemIndexer(platform, p, APPLICATION_ID);
        indexer.catchUp(Duration.ofMinutes(10));
        dialogues = new TopicFollower<>(platform, Topics.DIALOGUES, APPLICATION_ID + "-co-mentions");
        CentringSample sample = new CentringSample(settings.collaborativeSplits());
        dialogues.catchUp(r -> follow(p, sample, r.key(), r.value()), Duration.ofMinutes(2));
        fixContextMean(p, sample);
        parts = p;
        LOG.info("Item index ready with {} items, co-mentions from {} dialogues, context mean {}; starting {}"
                + " retrieval", p.index().size(), p.coMentions().dialogueCount(),
                !settings.centre() ? "off" : p.contextMean().isFixed() ? "fixed" : "not fixed yet", settings.source());
        streams = new StreamsService("retriever", platform, APPLICATION_ID, RetrieverTopology.build(platform, p),
                streamThreads(platform.config()));
        streams.start();
        markReady();
        while (running()) {
            indexer.poll(Duration.ofMillis(250));
            dialogues.pollOnce(r -> follow(p, sample, r.key(), r.value()), Duration.ofMillis(250));
            fixContextMean(p, sample);
        }
    }

    /**
     * {@code retriever.stream.threads}, 0 meaning one per partition. Dialogues of different partitions are then
     * retrieved side by side and their contexts share the encoder's cores: a dialogue alone has a few contexts
     * of unequal length, and its last one keeps one core busy while the others wait (measured on a cold ReDial
     * run: the encoder at 72% of the rate it reaches on the same texts in one call).
     */
    static int streamThreads(org.crsaug.platform.config.CrsConfig config) {
        int threads = config.getInt(STREAM_THREADS_KEY);
        return threads > 0 ? threads : Math.max(1, config.getInt("topic.partitions"));
    }

    private static void follow(RetrieverParts p, CentringSample sample, String dialogueId, Dialogue dialogue) {
        p.coMentions().put(dialogueId, dialogue);
        if (sampling(p)) {
            sample.offer(dialogueId, dialogue);
        }
    }

    private static boolean sampling(RetrieverParts p) {
        return p.settings().centre() && !p.contextMean().isFixed();
    }

    /**
     * Fixes the context mean once enough training contexts are known (at start-up, on a processed
     * dataset) and publishes it with the vectors it encoded for it, so that retrieval and later
     * retrievers reuse both.
     */
    private void fixContextMean(RetrieverParts p, CentringSample sample) {
        CentringSample.Result r = p.fixContextMean(sample);
        if (r == null) {
            return;
        }
        String topic = platform.config().topic(Topics.EMBEDDINGS);
        try (KafkaProducer<String, ContextEmbedding> producer =
                platform.producer(Topics.EMBEDDINGS, APPLICATION_ID + "-context-mean")) {
            for (ContextEmbedding e : r.encoded()) {
                producer.send(new ProducerRecord<>(topic, Embeddings.key(e.getEncoderId(), e.getKind(), e.getId()), e));
            }
            ContextEmbedding m = r.record();
            producer.send(new ProducerRecord<>(topic, Embeddings.key(m.getEncoderId(), m.getKind(), m.getId()), m));
            producer.flush();
        }
        LOG.info("Context mean fixed from {} training contexts ({} encoded for it)", r.contexts(), r.encoded().size());
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
        if (embeddingCache != null) {
            embeddingCache.close();
            embeddingCache = null;
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
