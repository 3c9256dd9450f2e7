package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.data.ingest.Ingestor;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.service.Service;
import org.crsaug.data.state.PipelineState;
import org.crsaug.testkit.DataSet;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.platform.topic.Topics;
import org.crsaug.retriever.RetrieverService;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.ScoredPair;
import org.crsaug.scorer.ScorerService;
import org.crsaug.testkit.FakeChatServer;
import org.crsaug.scorer.llm.LlmJudge;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replaying the labelling half of the pipeline from {@code dialogues} into fresh downstream topics, with
 * the LLM judgement cache of the first run in place: the real retriever (MiniLM) and the scorer with the
 * LLM judge against a fake OpenAI-compatible server, on a real embedded broker.
 */
class LlmCacheReplayTest {

    private static final String DATASET = "inspired";
    /** Started once for the class, closed after its last test. */
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    static Map<String, String> settings(String prefix, FakeChatServer server, Path data) {
        Map<String, String> s = new HashMap<>();
        s.put("topic.prefix", prefix);
        s.put("data.dir", data.toString());
        s.put("scorer.judge", LlmJudge.ID);
        s.put("scorer.llm.base.url", server.baseUrl());
        s.put("scorer.llm.requests.per.minute", "60000");
        s.put("retriever.top.k", "10");
        // centring follows a running mean whose value depends on arrival order once enough contexts are
        // seen; off, candidates (and so cache keys) depend on the dialogues alone
        s.put("retriever.centre", "false");
        return s;
    }

    /**
     * Retriever and LLM scorer until every training context of the namespace has labels.
     *
     * @return texts the retriever encoded
     */
    static long label(Platform p) throws InterruptedException {
        ScorerService scorer = ScorerService.create(p, LlmJudge.fromConfig(p.config(),
                Map.of("OPENAI_API_KEY", "test-key")));
        RetrieverService retriever = new RetrieverService(p);
        List<Service> services = List.of(retriever, scorer);
        try (PipelineState state = new PipelineState(p, "replay-test-progress")) {
            new PipelineRun(p, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                    .runUntilDone(state, DATASET, Duration.ofMinutes(4), services, true);
        }
        services.forEach(s -> assertThat(s.failure()).as(s.name()).isNull());
        return retriever.encodedTexts();
    }

    static List<ScoredPair> pairs(Platform p) {
        return TestKafka.readAll(p, Topics.SCORED_PAIRS, 1, Duration.ofSeconds(60)).stream()
                .map(ConsumerRecord::value).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.crsaug.testkit.DataSlices#dataSets")
    void aReplayFromDialoguesIntoFreshTopicsWithTheJudgementCacheMakesNoLlmCallsAndTheSameLabels(DataSet set,
            @TempDir Path tmp) throws Exception {
        Path data = DataSlices.inspiredSlice(set, tmp.resolve("data"), Map.of("train", 12, "valid", 1, "test", 1));
        try (FakeChatServer server = new FakeChatServer()) {
            server.responder(FakeChatServer::chainOfThoughtReply);

            // Given a first run: ingest, retrieve, judge every candidate with the LLM
            Platform first = kafka.platform(settings("first-" + set + ".", server, data));
            try (Ingestor ingestor = new Ingestor(first)) {
                ingestor.ingestDataset(DATASET, data.resolve(DATASET));
            }
            assertThat(label(first)).isPositive();
            int paidCalls = server.requests().size();
            List<ScoredPair> firstPairs = pairs(first);
            assertThat(paidCalls).isPositive();
            assertThat(firstPairs).noneMatch(ScoredPair::getFromCache);
            assertThat(TestKafka.readAll(first, Topics.JUDGEMENTS, firstPairs.size(), Duration.ofSeconds(60)))
                    .as("one cached judgement per judged pair").hasSize(firstPairs.size());

            // When the pipeline runs again into a fresh namespace: it reads the first run's dialogues and items
            // and shares its two caches, judgements and embeddings; candidates, pairs and labels are new topics
            Map<String, String> replay = settings("second-" + set + ".", server, data);
            for (TopicSpec<?> shared : List.of(Topics.DIALOGUES, Topics.ITEMS, Topics.JUDGEMENTS, Topics.EMBEDDINGS)) {
                replay.put(CrsConfig.TOPIC_NAME_PREFIX + shared.baseName(), first.config().topic(shared));
            }
            Platform second = kafka.platform(replay);
            assertThat(second.config().topic(Topics.AUGMENTED_LABELS))
                    .isNotEqualTo(first.config().topic(Topics.AUGMENTED_LABELS));
            server.resetCounts();
            long encoded = label(second);

            // Then not one LLM call and not one text encoded: every pair of the replay is a cache hit, as many
            // pairs as the first run
            assertThat(server.requests()).as("LLM calls in the replay").isEmpty();
            assertThat(encoded).as("texts encoded in the replay").isZero();
            List<ScoredPair> secondPairs = pairs(second);
            assertThat(secondPairs).hasSameSizeAs(firstPairs).allMatch(ScoredPair::getFromCache);
            assertThat(TestKafka.readAll(first, Topics.JUDGEMENTS, firstPairs.size(), Duration.ofSeconds(60)))
                    .as("nothing new paid for").hasSize(firstPairs.size());

            // ... and the augmented labels are byte-identical, context by context
            Map<String, String> labelsBefore = TestKafka.latestRawValues(first,
                    first.config().topic(Topics.AUGMENTED_LABELS));
            Map<String, String> labelsAfter = TestKafka.latestRawValues(second,
                    second.config().topic(Topics.AUGMENTED_LABELS));
            assertThat(labelsBefore).isNotEmpty();
            assertThat(labelsAfter).isEqualTo(labelsBefore);
            // the comparison means something: some contexts did gain labels
            assertThat(TestKafka.readAll(second, Topics.AUGMENTED_LABELS, labelsAfter.size(), Duration.ofSeconds(60)))
                    .extracting(ConsumerRecord::value).anyMatch(l -> !((AugmentedLabels) l).getLabels().isEmpty());
        }
    }
}
