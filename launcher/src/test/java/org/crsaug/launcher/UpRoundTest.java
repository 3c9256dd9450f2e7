package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.crsaug.launcher.UpFixture.getJson;
import static org.crsaug.launcher.UpFixture.post;
import static org.crsaug.launcher.UpFixture.print;
import static org.crsaug.launcher.UpFixture.text;
import static org.crsaug.launcher.UpPipeline.awaitAugmented;
import static org.crsaug.launcher.UpPipeline.awaitRoundsCovering;
import static org.crsaug.launcher.UpPipeline.candidatesPerContext;
import static org.crsaug.launcher.UpPipeline.contexts;
import static org.crsaug.launcher.UpPipeline.dialogues;
import static org.crsaug.launcher.UpPipeline.json;
import static org.crsaug.launcher.UpPipeline.labelOffsets;
import static org.crsaug.launcher.UpPipeline.labelsPerContext;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.ingest.DialogueIntake;
import org.crsaug.data.ingest.DirectoryWatcher;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.Dialogue;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.Scrape;
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
            UpPipeline.Rounds before = awaitRoundsCovering(up, labelOffsets(platform, Set.of()), 0, metric);
            String servedBefore = awaitServingTheBest(up, before, metric);
            System.out.printf("slice trained in round(s) up to %d; serving %s (%s)%n", before.lastRound(),
                    servedBefore, before.best());

            // When 20 new dialogues come through POST /api/dialogues and 5 through a watched directory: the
            // validation dialogues told again as train dialogues, so that a round trained on them has learnt
            // what validation asks and is likely (not certain: the check below holds either way) to beat the
            // checkpoint in use
            List<Dialogue> validation = dialogues(platform).values().stream()
                    .filter(d -> d.getSplit().equals("valid")).sorted(Comparator.comparing(Dialogue::getDialogueId))
                    .toList();
            assertThat(validation).isNotEmpty();
            List<String> bodies = new ArrayList<>();
            int expectedContexts = 0;
            for (int i = 0; i < POSTED + WATCHED; i++) {
                Dialogue source = validation.get(i % validation.size());
                bodies.add(UpPipeline.retold(source, (i < POSTED ? "up-post-" : "up-watch-") + i));
                expectedContexts += DialogueContexts.derive(source).size();
            }
            Set<String> posted = new TreeSet<>();
            for (String body : bodies.subList(0, POSTED)) {
                var answer = post(up, "api/dialogues", body);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
                UpFixture.JSON.readTree(answer.body()).path("accepted").forEach(id -> posted.add(id.asText()));
            }
            assertThat(posted).hasSize(POSTED);
            Set<String> fromFiles = watchAttached(config, watched, bodies.subList(POSTED, POSTED + WATCHED));
            Set<String> added = new TreeSet<>(posted);
            added.addAll(fromFiles);
            assertThat(added).hasSize(POSTED + WATCHED);

            // Then each of their contexts gets exactly one candidates record and one augmented-labels record
            Set<String> contexts = contexts(platform, added);
            assertThat(contexts).hasSize(expectedContexts).isNotEmpty();
            awaitAugmented(up, contexts);
            // every record the stages will ever make for them is committed before their groups' offsets pass
            // the inputs, so once no lag is left a second record could only come from a new input
            UpFixture.awaitCaughtUp(up, Topics.DIALOGUES, org.crsaug.retriever.RetrieverService.APPLICATION_ID);
            UpFixture.awaitCaughtUp(up, Topics.CANDIDATES, org.crsaug.scorer.ScorerService.APPLICATION_ID);
            assertThat(candidatesPerContext(platform, contexts))
                    .as("candidates records per new context").allSatisfy((c, n) -> assertThat(n).as(c).isOne())
                    .hasSize(contexts.size());
            assertThat(labelsPerContext(platform, contexts))
                    .as("augmented-labels records per new context").allSatisfy((c, n) -> assertThat(n).as(c).isOne())
                    .hasSize(contexts.size());

            // ... the trainer trains a round on them by itself, and the evaluator evaluates it
            UpPipeline.Rounds after = awaitRoundsCovering(up, labelOffsets(platform, contexts), before.lastRound(),
                    metric);
            assertThat(after.lastRound()).isGreaterThan(before.lastRound());
            OptionalDouble newBest = after.bestAfter(before.lastRound());
            assertThat(newBest).as("the new rounds' validation %s", metric).isPresent();

            // ... and the server serves the new round exactly when it beats the checkpoint in use
            Map<String, Double> scores = after.scores();
            assertThat(scores.get(servedBefore)).as("served before the new rounds")
                    .isEqualTo(after.bestUpTo(before.lastRound()).orElseThrow());
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

    /**
     * {@code crs ingest --watch DIR} attached to crs up, wired as that command wires it: a file per body
     * dropped in (written aside and renamed in, as a user should), each taken once; returns their dialogue ids.
     */
    private static Set<String> watchAttached(CrsConfig config, Path dir, List<String> bodies) throws Exception {
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
                for (int i = 0; i < bodies.size(); i++) {
                    Path aside = dir.resolve(".dialogue-" + i + ".json.part");
                    Files.writeString(aside, bodies.get(i), StandardCharsets.UTF_8);
                    Files.move(aside, dir.resolve("dialogue-" + i + ".json"), StandardCopyOption.ATOMIC_MOVE);
                }
                Await.until("the watched files ingested", WAIT, () -> {
                    assertThat(problems).isEmpty();
                    return ingested.size() == bodies.size();
                });
            } finally {
                watcher.stop();
                thread.join(Duration.ofSeconds(30).toMillis());
            }
        }
        assertThat(problems).isEmpty();
        return ingested.values().stream().flatMap(List::stream).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Waits until the server uses a checkpoint with the best validation score of {@code rounds} (ties keep the
     * one in use, so which of equals is its own choice) and returns its id.
     */
    private static String awaitServingTheBest(ContinuousRun up, UpPipeline.Rounds rounds, String metric)
            throws InterruptedException {
        double best = rounds.best();
        return Await.value("the server on a checkpoint with " + metric + " " + best, WAIT, () -> {
            String id = json(up, "api/status").path("checkpointId").asText(null);
            return id != null && Double.valueOf(best).equals(rounds.scores().get(id)) ? id : null;
        });
    }

}
