package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.crsaug.launcher.UpFixture.getJson;
import static org.crsaug.launcher.UpFixture.post;
import static org.crsaug.launcher.UpFixture.print;
import static org.crsaug.launcher.UpFixture.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.ingest.DialogueIntake;
import org.crsaug.data.ingest.DirectoryWatcher;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.NewDialogues;
import org.crsaug.testkit.Scrape;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The continuous loop of {@code crs up}, in-process on a small slice: new dialogues arrive through
 * {@code POST /api/dialogues} and through a watched directory ({@code crs ingest --watch}, attached);
 * each of their contexts gets exactly one candidates record and one augmented-labels record; the trainer
 * starts a round on them by itself, the evaluator evaluates it, and the server serves the new checkpoint
 * exactly when it beats the one in use on the validation metric.
 */
class UpRoundTest {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final int POSTED = 20;
    private static final int WATCHED = 5;
    /** Each new dialogue's recommender suggests this many titles, one turn each: one context per title. */
    private static final int CONTEXTS_PER_DIALOGUE = 2;

    @Test
    void newDialoguesAreAugmentedOnceTrainedOnByAnAutomaticRoundAndServedWhenBetter(@TempDir Path tmp)
            throws Exception {
        // a round once any new label has arrived and the stream has been quiet for 3 s: every new label ends
        // up in some round, whatever the pauses of the stream; few epochs and a narrow net keep rounds short
        CrsConfig config = UpFixture.onSlice(tmp, Map.of("train", 16, "valid", 4, "test", 4), Map.of(
                "trainer.round.min.new.labels", "1", "trainer.round.quiet.ms", "3000",
                "trainer.pretrain.epochs", "2", "trainer.finetune.epochs", "3", "trainer.hidden", "64",
                "ingest.watch.settle.ms", "200", "ingest.watch.poll.ms", "200"));
        Path watched = Files.createDirectories(tmp.resolve("incoming"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long started = System.nanoTime();
        try (ContinuousRun up = ContinuousRun.start(config, List.of("inspired"), print(out), false)) {
            Platform platform = up.platform();
            String metric = getJson(up, "api/status").path("selectionMetric").asText();
            assertThat(metric).as(text(out)).startsWith("validation_");

            // Given crs up has augmented the slice, trained on all of it and serves its best checkpoint
            Set<String> sliceDialogues = dialogues(platform).keySet();
            awaitAugmented(up, contexts(platform, sliceDialogues));
            Rounds before = awaitRoundsCovering(up, labelOffsets(platform, Set.of()), 0, metric);
            String servedBefore = awaitServingTheBest(up, before, metric);
            System.out.printf("slice trained in round(s) up to %d; serving %s (%s)%n", before.lastRound(),
                    servedBefore, before.best());

            // When 20 new dialogues come through POST /api/dialogues and 5 through a watched directory
            List<String> titles = catalogueTitles(platform);
            Set<String> posted = new TreeSet<>();
            for (int i = 0; i < POSTED; i++) {
                var answer = post(up, "api/dialogues", newDialogue("up-post-" + i, i, titles));
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
                UpFixture.JSON.readTree(answer.body()).path("accepted").forEach(id -> posted.add(id.asText()));
            }
            assertThat(posted).hasSize(POSTED);
            Set<String> fromFiles = watchAttached(config, watched, titles);
            Set<String> added = new TreeSet<>(posted);
            added.addAll(fromFiles);
            assertThat(added).hasSize(POSTED + WATCHED);

            // Then each of their contexts gets exactly one candidates record and one augmented-labels record
            Set<String> contexts = contexts(platform, added);
            assertThat(contexts).hasSize((POSTED + WATCHED) * CONTEXTS_PER_DIALOGUE);
            awaitAugmented(up, contexts);
            // every record the stages will ever make for them is committed before their groups' offsets pass
            // the inputs, so once no lag is left a second record could only come from a new input
            UpFixture.awaitCaughtUp(up, Topics.DIALOGUES, "crs-retriever");
            UpFixture.awaitCaughtUp(up, Topics.CANDIDATES, "crs-scorer");
            assertThat(candidatesPerContext(platform, contexts))
                    .as("candidates records per new context").allSatisfy((c, n) -> assertThat(n).as(c).isOne())
                    .hasSize(contexts.size());
            assertThat(labelsPerContext(platform, contexts))
                    .as("augmented-labels records per new context").allSatisfy((c, n) -> assertThat(n).as(c).isOne())
                    .hasSize(contexts.size());

            // ... the trainer trains a round on them by itself, and the evaluator evaluates it
            Rounds after = awaitRoundsCovering(up, labelOffsets(platform, contexts), before.lastRound(), metric);
            assertThat(after.lastRound()).isGreaterThan(before.lastRound());
            OptionalDouble newBest = after.bestAfter(before.lastRound());
            assertThat(newBest).as("the new rounds' validation %s", metric).isPresent();

            // ... and the server serves the new round exactly when it beats the checkpoint in use
            Map<String, Double> scores = after.scores();
            if (newBest.getAsDouble() > scores.get(servedBefore)) {
                String served = awaitServingTheBest(up, after, metric);
                assertThat(after.roundOf(served)).as("served %s", served).isGreaterThan(before.lastRound());
                System.out.printf("switched from %s (%.4f) to %s (%.4f)%n", servedBefore, scores.get(servedBefore),
                        served, scores.get(served));
            } else {
                // the engine has read every new checkpoint (it records each one's metrics as it reads it) and
                // decided on it in the same pass: none is better, so the one in use stays
                Await.until("the server has read the new checkpoints", WAIT, () -> after.idsAfter(before.lastRound())
                        .stream().allMatch(id -> !Scrape.now().lines("crs_checkpoint_metric", "checkpoint", id)
                                .isEmpty()));
                assertThat(getJson(up, "api/status").path("checkpointId").asText()).isEqualTo(servedBefore);
                System.out.printf("kept %s (%.4f): the new rounds reached %.4f%n", servedBefore,
                        scores.get(servedBefore), newBest.getAsDouble());
            }
            up.checkHealth();
        }
        System.out.printf("crs up round test: %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** A train dialogue naming catalogue titles: the n-th dialogue takes the titles from 3n on. */
    private static String newDialogue(String id, int n, List<String> titles) {
        return UpFixture.trainDialogue(id, title(titles, 3 * n),
                List.of(title(titles, 3 * n + 1), title(titles, 3 * n + 2)));
    }

    private static String title(List<String> titles, int n) {
        return titles.get(n % titles.size());
    }

    private static List<String> catalogueTitles(Platform platform) {
        List<String> titles = NewDialogues.readNow(platform, Topics.ITEMS).stream()
                .filter(i -> i != null && i.getHasMetadata()).map(Item::getTitle).sorted().toList();
        assertThat(titles).as("catalogue titles").hasSizeGreaterThan(3 * CONTEXTS_PER_DIALOGUE);
        return titles;
    }

    /**
     * {@code crs ingest --watch DIR} attached to crs up, wired as that command wires it: five files dropped
     * in (written aside and renamed in, as a user should), each taken once; returns their dialogue ids.
     */
    private static Set<String> watchAttached(CrsConfig config, Path dir, List<String> titles) throws Exception {
        Map<Path, List<String>> ingested = new ConcurrentHashMap<>();
        List<String> problems = new CopyOnWriteArrayList<>();
        DirectoryWatcher.Listener listener = new DirectoryWatcher.Listener() {
            @Override
            public void ingested(Path file, DialogueIntake.Outcome outcome) {
                ingested.merge(file.getFileName(), outcome.published(), (a, b) -> {
                    problems.add(file + " ingested twice");
                    return a;
                });
                outcome.bad().forEach(b -> problems.add(file + ": " + b));
            }

            @Override
            public void skipped(Path file, String why) {
                problems.add(file + " skipped: " + why);
            }

            @Override
            public void failed(Path file, RuntimeException error) {
                problems.add(file + " failed: " + error);
            }
        };
        try (Platform guest = Platform.start(config);
                DirectoryWatcher watcher = new DirectoryWatcher(guest, dir, "inspired",
                        Duration.ofMillis(config.getLong("ingest.watch.settle.ms")), listener)) {
            assertThat(guest.attached()).isTrue();
            Thread thread = new Thread(() -> {
                try {
                    watcher.run(Duration.ofMillis(config.getLong("ingest.watch.poll.ms")));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "watch-" + dir.getFileName());
            thread.start();
            try {
                for (int i = 0; i < WATCHED; i++) {
                    Path aside = dir.resolve(".dialogue-" + i + ".json.part");
                    Files.writeString(aside, newDialogue("up-watch-" + i, POSTED + i, titles), StandardCharsets.UTF_8);
                    Files.move(aside, dir.resolve("dialogue-" + i + ".json"), StandardCopyOption.ATOMIC_MOVE);
                }
                Await.until("the watched files ingested", WAIT, () -> {
                    assertThat(problems).isEmpty();
                    return ingested.size() == WATCHED;
                });
            } finally {
                watcher.stop();
                thread.join(Duration.ofSeconds(30).toMillis());
            }
        }
        assertThat(problems).isEmpty();
        return ingested.values().stream().flatMap(List::stream).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The dialogues published so far (committed), by id. */
    private static Map<String, Dialogue> dialogues(Platform platform) {
        Map<String, Dialogue> out = new HashMap<>();
        NewDialogues.readNow(platform, Topics.DIALOGUES).stream().filter(d -> d != null)
                .forEach(d -> out.put(d.getDialogueId(), d));
        return out;
    }

    /** The training contexts of the given dialogues: those the retriever makes candidates for. */
    private static Set<String> contexts(Platform platform, Set<String> dialogueIds) {
        Set<String> out = new TreeSet<>();
        dialogues(platform).forEach((id, d) -> {
            if (dialogueIds.contains(id) && d.getSplit().toString().equals("train")) {
                DialogueContexts.derive(d).stream().map(DialogueContext::contextId).forEach(out::add);
            }
        });
        return out;
    }

    /** Waits until every one of {@code contexts} has candidates and augmented labels (committed). */
    private static void awaitAugmented(ContinuousRun up, Set<String> contexts) throws InterruptedException {
        assertThat(contexts).isNotEmpty();
        Await.until(contexts.size() + " contexts augmented", WAIT, () -> {
            up.checkHealth();
            return candidatesPerContext(up.platform(), contexts).size() == contexts.size()
                    && labelsPerContext(up.platform(), contexts).size() == contexts.size();
        });
    }

    private static Map<String, Long> candidatesPerContext(Platform platform, Set<String> contexts) {
        return perContext(platform, Topics.CANDIDATES, contexts, Candidates::getContextId);
    }

    private static Map<String, Long> labelsPerContext(Platform platform, Set<String> contexts) {
        return perContext(platform, Topics.AUGMENTED_LABELS, contexts, AugmentedLabels::getContextId);
    }

    /** How many committed records of the topic each of {@code contexts} that has any has. */
    private static <V extends SpecificRecord> Map<String, Long> perContext(Platform platform, TopicSpec<V> spec,
            Set<String> contexts, Function<V, String> contextId) {
        return TestKafka.readAll(platform, spec, 0, WAIT).stream().map(r -> contextId.apply(r.value()))
                .filter(contexts::contains).collect(Collectors.groupingBy(c -> c, Collectors.counting()));
    }

    /**
     * Partition and offset of the committed augmented-labels records of {@code contexts} (all of them when
     * empty): what a round must have been trained on to include them.
     */
    private static Map<Integer, Long> labelOffsets(Platform platform, Set<String> contexts) {
        Map<Integer, Long> last = new HashMap<>();
        for (var r : TestKafka.readAll(platform, Topics.AUGMENTED_LABELS, 1, WAIT)) {
            if (contexts.isEmpty() || contexts.contains(r.value().getContextId())) {
                last.merge(r.partition(), r.offset(), Math::max);
            }
        }
        return last;
    }

    /** The checkpoints of {@code GET /api/checkpoints}: round and validation score of each. */
    private record Rounds(Map<String, Integer> rounds, Map<String, Double> scores) {

        int lastRound() {
            return rounds.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        }

        int roundOf(String checkpointId) {
            return rounds.get(checkpointId);
        }

        List<String> idsAfter(int round) {
            return rounds.entrySet().stream().filter(e -> e.getValue() > round).map(Map.Entry::getKey).toList();
        }

        OptionalDouble bestAfter(int round) {
            return idsAfter(round).stream().filter(scores::containsKey).mapToDouble(scores::get).max();
        }

        double best() {
            return bestAfter(0).orElseThrow();
        }
    }

    /**
     * Waits until {@code GET /api/checkpoints} lists a checkpoint of a round after {@code afterRound} trained on
     * every label offset given, with every checkpoint evaluated; returns them all.
     */
    private static Rounds awaitRoundsCovering(ContinuousRun up, Map<Integer, Long> labelOffsets, int afterRound,
            String metric) throws InterruptedException {
        String labelsTopic = up.platform().config().topic(Topics.AUGMENTED_LABELS);
        return Await.value("a round after " + afterRound + " trained on labels up to " + labelOffsets
                + " and evaluated", Duration.ofMinutes(3), () -> {
                    up.checkHealth();
                    JsonNode answer = json(up, "api/checkpoints");
                    if (answer == null) {
                        return null;
                    }
                    JsonNode checkpoints = answer.path("checkpoints");
                    Map<String, Integer> rounds = new HashMap<>();
                    Map<String, Double> scores = new HashMap<>();
                    boolean covered = false;
                    for (JsonNode cp : checkpoints) {
                        if (cp.path("test").isEmpty()) {
                            return null;
                        }
                        String id = cp.path("checkpointId").asText();
                        rounds.put(id, cp.path("round").asInt());
                        JsonNode score = cp.path("validation").path(metric);
                        if (score.isNumber()) {
                            scores.put(id, score.asDouble());
                        }
                        covered |= cp.path("round").asInt() > afterRound && covers(cp, labelsTopic, labelOffsets);
                    }
                    return covered ? new Rounds(rounds, scores) : null;
                });
    }

    private static boolean covers(JsonNode checkpoint, String topic, Map<Integer, Long> offsets) {
        Map<Integer, Long> until = new HashMap<>();
        for (JsonNode lineage : checkpoint.path("lineage")) {
            if (lineage.path("topic").asText().equals(topic)) {
                lineage.path("ranges").forEach(r -> until.put(r.path("partition").asInt(),
                        r.path("untilOffset").asLong()));
            }
        }
        return offsets.entrySet().stream().allMatch(e -> until.getOrDefault(e.getKey(), 0L) > e.getValue());
    }

    /**
     * Waits until the server uses a checkpoint with the best validation score of {@code rounds} (ties keep the
     * one in use, so which of equals is its own choice) and returns its id.
     */
    private static String awaitServingTheBest(ContinuousRun up, Rounds rounds, String metric)
            throws InterruptedException {
        double best = rounds.best();
        return Await.value("the server on a checkpoint with " + metric + " " + best, WAIT, () -> {
            String id = json(up, "api/status").path("checkpointId").asText(null);
            return id != null && Double.valueOf(best).equals(rounds.scores().get(id)) ? id : null;
        });
    }

    /** The JSON answer, or null while the server is still reading the topics (503): for polling. */
    private static JsonNode json(ContinuousRun up, String path) {
        try {
            var answer = UpFixture.get(up, path);
            if (answer.statusCode() == 503) {
                return null;
            }
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            return UpFixture.JSON.readTree(answer.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
