package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.data.ingest.Ingestor;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Judgement;
import org.crsaug.schema.ScoredPair;
import org.crsaug.testkit.ConsoleCapture;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.FakeChatServer;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs import judgements} end to end: the judgements of one LLM run (rescored, as another judge would)
 * are imported into a second namespace that shares its dialogues and items but not its judgement cache; the
 * real retriever and the LLM scorer against the fake server then find every pair in the cache.
 */
class ImportJudgementsTest {

    private static final String DATASET = "inspired";
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private static int crs(Map<String, String> settings, Path state, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--schema-registry-url",
                kafka.registryUrl(), "--state-dir", state.toString()));
        settings.forEach((k, v) -> all.addAll(List.of("--set", k + "=" + v)));
        return Crs.execute(all.toArray(String[]::new));
    }

    private static long committed(Platform p, TopicSpec<?> spec) {
        try (TopicFollower<?> f = new TopicFollower<>(p, spec, "import-test-count-" + System.nanoTime())) {
            return f.catchUp(r -> { }, Duration.ofSeconds(30));
        }
    }

    @Test
    void importedJudgementsAreCacheHitsBadRowsAreDeadLetteredAndStrictAppliesNothing(@TempDir Path tmp)
            throws Exception {
        Path data = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp.resolve("data"),
                Map.of("train", 6, "valid", 1, "test", 1));
        try (FakeChatServer server = new FakeChatServer()) {
            // Given the pairs one LLM run judged
            Platform first = kafka.platform(LlmCacheReplayTest.settings("imp-first.", server, data));
            try (Ingestor ingestor = new Ingestor(first)) {
                ingestor.ingestDataset(DATASET, data.resolve(DATASET));
            }
            LlmCacheReplayTest.label(first);
            List<ScoredPair> firstPairs = LlmCacheReplayTest.pairs(first);
            assertThat(firstPairs).isNotEmpty();

            // ... rescored (4 - score, so a hit is told from a fresh call) in a CSV with a notes column, plus bad rows
            ScoredPair p0 = firstPairs.get(0);
            Set<String> p0Candidates = new HashSet<>();
            firstPairs.stream().filter(p -> p.getContextId().equals(p0.getContextId()))
                    .forEach(p -> p0Candidates.add(p.getItemId()));
            String other = firstPairs.stream().map(ScoredPair::getItemId).filter(i -> !p0Candidates.contains(i))
                    .findFirst().orElseThrow();
            StringBuilder csv = new StringBuilder("context_id,item_id,score,note\n");
            Map<String, Float> imported = new HashMap<>();
            for (ScoredPair p : firstPairs) {
                csv.append(p.getContextId()).append(',').append(p.getItemId()).append(',').append(4 - p.getScore())
                        .append(",\"annotator, round 1\"\n");
                imported.put(p.getContextId() + "|" + p.getItemId(), 4 - p.getScore());
            }
            csv.append(p0.getContextId()).append(',').append(p0.getItemId()).append(',').append(4 - p0.getScore())
                    .append(",repeated\n");
            csv.append("no-such-dialogue#3,").append(p0.getItemId()).append(",2,x\n");
            csv.append(p0.getContextId()).append(",no:such-item,2,x\n");
            csv.append(p0.getContextId()).append(',').append(p0.getItemId()).append(",5,x\n");
            csv.append(p0.getContextId()).append(',').append(other).append(",1,x\n");
            csv.append(p0.getContextId()).append(',').append(other).append(",3,x\n");
            csv.append("\"unterminated,quote\n");
            Path file = tmp.resolve("ratings.csv");
            Files.writeString(file, csv, StandardCharsets.UTF_8);

            // When they are imported into a namespace sharing the dialogues, items and embeddings, not the cache
            Map<String, String> second = LlmCacheReplayTest.settings("imp-second.", server, data);
            for (TopicSpec<?> shared : List.of(Topics.DIALOGUES, Topics.ITEMS, Topics.EMBEDDINGS)) {
                second.put(CrsConfig.TOPIC_NAME_PREFIX + shared.baseName(), first.config().topic(shared));
            }
            int rc = crs(second, tmp.resolve("state"), "import", "judgements", "--file", file.toString(),
                    "--judge-id", "annotators", "--judge-version", "r1");

            // Then the counts are reported, every bad row is dead-lettered with its reason
            assertThat(rc).as(console.stderr()).isEqualTo(IngestCommand.BAD_RECORDS);
            int n = firstPairs.size();
            assertThat(console.stdout()).contains((n + 7) + " rows: " + n + " judgements imported, 0 already cached,"
                    + " 1 duplicate rows, 6 bad rows sent to dead-letters");
            Platform p2 = kafka.platform(second);
            List<DeadLetter> letters = TestKafka.readAll(p2, Topics.DEAD_LETTERS, 6, Duration.ofSeconds(60)).stream()
                    .map(ConsumerRecord::value).toList();
            assertThat(letters).hasSize(6).allSatisfy(l -> {
                assertThat(l.getSourceTopic()).isEqualTo("file:" + file);
                assertThat(l.getStage()).isEqualTo("import-judgements");
            });
            assertThat(letters).extracting(DeadLetter::getError).anyMatch(e -> e.contains("unknown context"))
                    .anyMatch(e -> e.contains("unknown item no:such-item"))
                    .anyMatch(e -> e.contains("outside 0..4"))
                    .anyMatch(e -> e.startsWith("malformed row"))
                    .filteredOn(e -> e.contains("duplicate key with a different score")).hasSize(2);
            List<Judgement> cache = TestKafka.readAll(p2, Topics.JUDGEMENTS, n, Duration.ofSeconds(60)).stream()
                    .map(ConsumerRecord::value).toList();
            assertThat(cache).hasSize(n).allSatisfy(j -> {
                assertThat(j.getJudgeId()).isEqualTo("annotators");
                assertThat(j.getJudgeVersion()).isEqualTo("r1");
                assertThat(j.getReplyFormat()).isNull();
            });

            // ... and the next LLM-judged run makes no LLM call: every pair is a hit with the imported score
            server.resetCounts();
            LlmCacheReplayTest.label(p2);
            assertThat(server.requests()).as("LLM calls after the import").isEmpty();
            List<ScoredPair> secondPairs = LlmCacheReplayTest.pairs(p2);
            assertThat(secondPairs).hasSize(n).allMatch(ScoredPair::getFromCache);
            for (ScoredPair p : secondPairs) {
                assertThat(p.getScore()).as(p.getContextId() + " " + p.getItemId())
                        .isEqualTo(imported.get(p.getContextId() + "|" + p.getItemId()));
            }

            // A strict import of a file with one bad row publishes nothing but that row's dead letter
            Path strict = tmp.resolve("strict.jsonl");
            Files.writeString(strict, "{\"context_id\": \"" + p0.getContextId() + "\", \"item_id\": \"" + other
                    + "\", \"score\": 2}\n{\"context_id\": \"" + p0.getContextId()
                    + "\", \"item_id\": \"no:such-item\", \"score\": 2}\n", StandardCharsets.UTF_8);
            long judgementsBefore = committed(p2, Topics.JUDGEMENTS);
            long lettersBefore = committed(p2, Topics.DEAD_LETTERS);
            rc = crs(second, tmp.resolve("state"), "import", "judgements", "--file", strict.toString(), "--strict");
            assertThat(rc).isEqualTo(IngestCommand.BAD_RECORDS);
            assertThat(console.stdout()).contains("2 rows: 0 judgements imported", "1 good rows not imported");
            assertThat(committed(p2, Topics.DEAD_LETTERS)).isEqualTo(lettersBefore + 1);
            assertThat(committed(p2, Topics.JUDGEMENTS)).isEqualTo(judgementsBefore);

            // The same good row without --strict goes in; imported again, it is already cached
            Files.writeString(strict, "{\"context_id\": \"" + p0.getContextId() + "\", \"item_id\": \"" + other
                    + "\", \"score\": 2}\n", StandardCharsets.UTF_8);
            assertThat(crs(second, tmp.resolve("state"), "import", "judgements", "--file", strict.toString()))
                    .isZero();
            assertThat(crs(second, tmp.resolve("state"), "import", "judgements", "--file", strict.toString()))
                    .isZero();
            assertThat(console.stdout()).contains("1 rows: 1 judgements imported", "1 rows: 0 judgements imported,"
                    + " 1 already cached");
            assertThat(committed(p2, Topics.JUDGEMENTS)).isEqualTo(judgementsBefore + 1);
        }
    }
}
