package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.kafka.PlatformAddress;
import org.crsaug.platform.kafka.StateDirLock;
import org.crsaug.platform.topic.Topics;
import org.crsaug.retriever.RetrieverService;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Evaluation;
import org.crsaug.schema.IngestedFile;
import org.crsaug.scorer.ScorerService;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.ChildJvm;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.NewDialogues;
import org.crsaug.testkit.TestDirs;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code crs up --watch} in a JVM of its own, killed with SIGKILL while new dialogues stream in, after
 * an automatic round was trained and evaluated, and started again on the same state and watch directories.
 * Counts, read committed from the restarted platform: one candidates and one labels record per context, each
 * round's checkpoint once per mode, each watched file and dialogue once, and nothing posted before the kill lost.
 */
class UpKillTest {

    private static final Duration START = Duration.ofMinutes(4);
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String DATASET = "inspired";
    private static final String READY = "crs up: ready in";
    private static final String READY_BLOCK_END = "Services run until Ctrl-C";

    private int files;

    @Test
    void crsUpKilledMidStreamRestartsLosingAndRepeatingNothing(@TempDir Path tmp) throws Exception {
        Path state = tmp.resolve("state");
        try {
            killAndRestart(tmp, state);
        } catch (Throwable t) {
            // the state directory goes with the temporary directory; its log (the services' and Kafka's side,
            // which the command's output does not show) is what explains a restart that never became ready
            Path log = state.resolve("logs").resolve("crs.log");
            if (Files.exists(log)) {
                Files.copy(log, TestDirs.target().resolve("up-kill-crs.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            throw t;
        }
    }

    private void killAndRestart(Path tmp, Path state) throws Exception {
        Path data = DataSlices.inspiredSlice(tmp.resolve("data"), Map.of("train", 12, "valid", 4, "test", 4));
        Path watch = Files.createDirectories(tmp.resolve("incoming"));
        List<String> args = upArgs(data, state, watch);

        // Given crs up watching a directory, with files dropped in and dialogues posted, and a round trained
        ChildJvm first = ChildJvm.start(Crs.class.getName(), args, Map.of(), "up-kill-1.log");
        List<String> watched = new ArrayList<>();
        List<String> posted = new ArrayList<>();
        Set<String> roundsBeforeKill;
        Stream.Result streamed;
        try {
            // the block's last line: the lines after "ready in" arrive one by one, and the test read too early once
            String ready = first.awaitOutput(READY_BLOCK_END, START);
            assertThat(ready).as("the ready block names the watched directory")
                    .contains("watching         " + watch.toAbsolutePath().normalize());
            try (Platform guest = attach(state, first)) {
                NewDialogues catalogue = NewDialogues.ofPublishedCatalogue(guest, DATASET);
                watched.addAll(drop(watch, catalogue, "one", 1));
                watched.addAll(drop(watch, catalogue, "list", 2));
                watched.addAll(drop(watch, catalogue, "lines", 2));
                posted.addAll(post(state, catalogue, "before", 4));
                awaitLabelled(guest, concat(watched, posted));
                roundsBeforeKill = awaitEvaluatedRound(guest);

                // When more arrive, a file and a stream of posts, and crs up is killed with SIGKILL while the
                // stream goes on, once its first dialogue is labelled
                // four, at least trainer.round.min.new.labels on their own: with the streamed ones, the restarted
                // trainer has enough new labels for a round whenever the kill comes (with two, a kill after the first
                // streamed dialogue left it one short, and no round ever came)
                watched.addAll(drop(watch, catalogue, "late", 4));
                try (Stream stream = new Stream(PlatformAddress.read(state).orElseThrow().http()
                        .get("recommendations"), catalogue, files)) {
                    NewDialogues.await(guest, Topics.AUGMENTED_LABELS, "the first streamed dialogue labelled",
                            l -> l.stream().anyMatch(x -> x.getDialogueId().startsWith(DATASET + ":" + Stream.PREFIX)));
                    first.kill();
                    streamed = stream.awaitEnd();
                }
            }
        } finally {
            first.process().destroyForcibly();
        }
        posted.addAll(streamed.acknowledged());
        System.out.printf("killed with %d streamed dialogues acknowledged (202)%s%n", streamed.acknowledged().size(),
                streamed.unanswered() == null ? "" : ", " + streamed.unanswered() + " posted without an answer");
        assertThat(PlatformAddress.file(state)).as("a killed crs up leaves its address file").exists();

        // Then crs up starts again on the same directories (the stale address file and lock are its own to clear)
        ChildJvm second = ChildJvm.start(Crs.class.getName(), args, Map.of(), "up-kill-2.log");
        try {
            second.awaitOutput(READY, START);
            try (Platform guest = attach(state, second)) {
                // ... its watcher has looked at every file dropped before the kill: each is skipped or taken once
                for (String file : List.of("one", "list", "lines")) {
                    second.awaitOutput("watch: " + file + ".json: skipped, already ingested", WAIT);
                }
                // ... everything posted or dropped before the kill is processed
                awaitLabelled(guest, concat(watched, posted));
                // ... and a round is trained after the restart (from the labels that arrived around the kill)
                int lastRoundBefore = roundsBeforeKill.stream().mapToInt(r -> Integer.parseInt(r.split("/")[0]))
                        .max().orElseThrow();
                Await.until("a round after round " + lastRoundBefore + " trained by the restarted crs up", WAIT,
                        () -> checkpoints(guest).stream().anyMatch(c -> c.getRound() > lastRoundBefore));
                assertCountsExact(guest, watched, posted, streamed.unanswered(), roundsBeforeKill);
            }
            // a clean stop still works after the recovery, and removes the address file
            second.process().destroy();
            assertThat(second.process().waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
            assertThat(second.output()).contains("crs up: stopped cleanly");
            assertThat(PlatformAddress.file(state)).doesNotExist();
        } finally {
            second.process().destroyForcibly();
        }
    }

    private static List<String> upArgs(Path data, Path state, Path watch) {
        List<String> args = new ArrayList<>(List.of("up", "--state-dir", state.toString(), "--dataset", DATASET,
                "--watch", watch.toString(), "--port", "0", "--kafka-port", "0", "--registry-port", "0"));
        Map<String, String> set = new LinkedHashMap<>(UpFixture.settings(data, state, Map.of()));
        // the ports and state directory are the command's flags
        set.keySet().removeAll(List.of("state.dir", "embedded.kafka.port", "embedded.registry.port", "serve.port"));
        // an automatic round once a few contexts are labelled and the stream is quiet for 2 s, trained quickly
        set.put("trainer.round.min.new.labels", "4");
        set.put("trainer.round.quiet.ms", "2000");
        set.put("trainer.pretrain.epochs", "2");
        set.put("trainer.finetune.epochs", "3");
        // the restart's streams take over from the killed members once their sessions expire
        set.put("kafka.session.timeout.ms", "6000");
        // dropped files are renamed into place, complete: no need to wait for them to settle
        set.put("ingest.watch.settle.ms", "200");
        set.put("ingest.watch.poll.ms", "200");
        args.addAll(ChildJvm.setArgs(set));
        return args;
    }

    /** A guest of the crs up in {@code owner}: attached through the address file once that process wrote it. */
    private static Platform attach(Path state, ChildJvm owner) {
        PlatformAddress address = PlatformAddress.read(state).orElseThrow();
        assertThat(address.pid()).as("the address file of the running crs up").isEqualTo(owner.pid());
        Platform guest = Platform.start(CrsConfig.defaults().with("state.dir", state.toString()));
        assertThat(guest.attached()).isTrue();
        return guest;
    }

    /** Writes {@code n} new dialogues as one file (a list when n > 1) and renames it into the watched directory. */
    private List<String> drop(Path watch, NewDialogues catalogue, String name, int n) throws IOException {
        List<String> ids = new ArrayList<>();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "watched-" + name + "-" + i;
            ids.add(DATASET + ":" + id);
            bodies.add(NewDialogues.recommending(id, "a film for a " + name + " evening, number " + i,
                    catalogue.title(files++)));
        }
        String content = name.equals("lines") ? String.join("\n", bodies)
                : n == 1 ? bodies.get(0) : "[" + String.join(",", bodies) + "]";
        Path written = Files.writeString(watch.resolve("." + name + ".json.tmp"), content);
        Files.move(written, watch.resolve(name + ".json"), StandardCopyOption.ATOMIC_MOVE);
        return ids;
    }

    /** Posts {@code n} new dialogues one by one to crs up's HTTP port, as a client streaming them in. */
    private List<String> post(Path state, NewDialogues catalogue, String name, int n) throws Exception {
        String url = PlatformAddress.read(state).orElseThrow().http().get("recommendations");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "posted-" + name + "-" + i;
            HttpResponse<String> answer = postOne(url, id, catalogue.title(files++));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
            ids.add(DATASET + ":" + id);
        }
        return ids;
    }

    private static HttpResponse<String> postOne(String url, String id, String title) throws Exception {
        return UpFixture.postDialogues(url, NewDialogues.recommending(id, "something to watch this weekend, "
                + id.replace('-', ' '), title));
    }

    /**
     * A client posting new dialogues at about 4 a second until crs up stops answering: the kill lands in the
     * middle of a stream, whatever the machine's speed.
     */
    private static final class Stream implements AutoCloseable {
        static final String PREFIX = "streamed-";
        private static final long PAUSE_MS = 250;

        /**
         * @param acknowledged ids answered 202: published, so they must be processed after the restart
         * @param unanswered   the id whose post failed (the kill): published or not; null if none failed
         */
        record Result(List<String> acknowledged, String unanswered) {
        }

        private final Thread thread;
        private final List<String> acknowledged = new ArrayList<>();
        private volatile String unanswered;
        private volatile boolean stop;

        Stream(String url, NewDialogues catalogue, int firstTitle) {
            thread = new Thread(() -> {
                for (int i = 0; !stop; i++) {
                    String id = PREFIX + i;
                    try {
                        HttpResponse<String> answer = postOne(url, id, catalogue.title(firstTitle + i));
                        if (answer.statusCode() != 202) {
                            throw new IllegalStateException(answer.statusCode() + " " + answer.body());
                        }
                        synchronized (acknowledged) {
                            acknowledged.add(DATASET + ":" + id);
                        }
                        Thread.sleep(PAUSE_MS);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // the server went away with this post: it may or may not have been published
                        unanswered = DATASET + ":" + id;
                        return;
                    }
                }
            }, "dialogue-stream");
            thread.start();
        }

        /** Waits for the stream to end at its first failed post (crs up gone). */
        Result awaitEnd() throws InterruptedException {
            thread.join(Duration.ofMinutes(1).toMillis());
            assertThat(thread.isAlive()).as("the stream still posting a minute after the kill").isFalse();
            synchronized (acknowledged) {
                return new Result(List.copyOf(acknowledged), unanswered);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.interrupt();
            thread.join();
        }
    }

    /** Every one of these dialogues has a labelled context, and the retriever and scorer have nothing left. */
    private static void awaitLabelled(Platform guest, List<String> dialogueIds) throws InterruptedException {
        try {
            NewDialogues.await(guest, Topics.AUGMENTED_LABELS, dialogueIds.size() + " new dialogues labelled",
                    labels -> labels.stream().map(AugmentedLabels::getDialogueId).collect(Collectors.toSet())
                            .containsAll(dialogueIds));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + whereTheyStopped(guest, dialogueIds), e);
        }
        Await.until("the retriever and scorer caught up", WAIT,
                () -> UpFixture.caughtUp(guest, Topics.DIALOGUES, RetrieverService.APPLICATION_ID)
                        && UpFixture.caughtUp(guest, Topics.CANDIDATES, ScorerService.APPLICATION_ID));
    }

    /**
     * For a failed wait: the dialogues without labels, and how far each got (visible to committed readers of
     * dialogues, with candidates), which tells a transaction left open by the kill from a service that stopped.
     */
    private static String whereTheyStopped(Platform guest, List<String> dialogueIds) {
        Set<String> labelled = NewDialogues.readNow(guest, Topics.AUGMENTED_LABELS).stream()
                .map(AugmentedLabels::getDialogueId).collect(Collectors.toSet());
        Set<String> published = NewDialogues.readNow(guest, Topics.DIALOGUES).stream()
                .map(Dialogue::getDialogueId).collect(Collectors.toSet());
        Set<String> retrieved = NewDialogues.readNow(guest, Topics.CANDIDATES).stream()
                .map(Candidates::getDialogueId).collect(Collectors.toSet());
        return dialogueIds.stream().filter(id -> !labelled.contains(id))
                .map(id -> id + (published.contains(id) ? " (on dialogues" : " (not on dialogues")
                        + (retrieved.contains(id) ? ", with candidates)" : ", no candidates)"))
                .collect(Collectors.joining(", ", "without labels: ", ""));
    }

    /**
     * Waits until a round has a checkpoint of every mode and each of them an evaluation per protocol; returns
     * the rounds with checkpoints then, as "round/mode/stage".
     */
    private static Set<String> awaitEvaluatedRound(Platform guest) throws InterruptedException {
        return Await.value("an automatic round trained and evaluated", WAIT, () -> {
            List<Checkpoint> checkpoints = checkpoints(guest);
            Set<String> evaluated = NewDialogues.readNow(guest, Topics.EVALUATIONS).stream()
                    .map(e -> e.getCheckpointId() + "|" + e.getProtocol()).collect(Collectors.toSet());
            Map<Integer, List<Checkpoint>> byRound = checkpoints.stream()
                    .collect(Collectors.groupingBy(Checkpoint::getRound));
            boolean done = byRound.values().stream().anyMatch(round -> round.stream().map(Checkpoint::getMode)
                    .collect(Collectors.toSet()).containsAll(List.of("baseline", "two-stage"))
                    && round.stream().allMatch(c -> evaluated.contains(c.getCheckpointId() + "|strict")
                            && evaluated.contains(c.getCheckpointId() + "|lenient")));
            return done ? checkpoints.stream().map(UpKillTest::roundKey).collect(Collectors.toSet()) : null;
        });
    }

    /** @param unanswered a dialogue posted as crs up was killed: published or not, but not twice */
    private static void assertCountsExact(Platform guest, List<String> watched, List<String> posted,
            String unanswered, Set<String> roundsBeforeKill) {
        // each watched dialogue once on the dialogues topic, and one marker per file
        List<Dialogue> dialogues = values(TestKafka.readAll(guest, Topics.DIALOGUES, 1, WAIT));
        assertThat(dialogues.stream().map(Dialogue::getDialogueId).filter(watched::contains).toList())
                .as("watched dialogues on the dialogues topic").containsExactlyInAnyOrderElementsOf(watched);
        assertThat(dialogues.stream().map(Dialogue::getDialogueId).filter(posted::contains).toList())
                .as("posted dialogues on the dialogues topic").containsExactlyInAnyOrderElementsOf(posted);
        long unansweredCopies = dialogues.stream().filter(d -> d.getDialogueId().equals(unanswered)).count();
        assertThat(unansweredCopies).as("copies of the dialogue posted without an answer").isLessThanOrEqualTo(1);
        List<ConsumerRecord<String, IngestedFile>> markers = TestKafka.readAll(guest, Topics.INGESTED_FILES, 4, WAIT);
        assertThat(markers).as("one marker per watched file").hasSize(4);
        assertThat(markers.stream().map(ConsumerRecord::key).distinct()).hasSize(4);

        // one candidates and one labels record per context, the dataset's included
        List<Candidates> candidates = values(TestKafka.readAll(guest, Topics.CANDIDATES, 1, WAIT));
        assertOnceEach(candidates, Candidates::getContextId, "candidates records per context");
        List<AugmentedLabels> labels = values(TestKafka.readAll(guest, Topics.AUGMENTED_LABELS, candidates.size(),
                WAIT));
        assertThat(labels.stream().map(AugmentedLabels::getContextId).toList())
                .as("one augmented-labels record per context")
                .containsExactlyInAnyOrderElementsOf(candidates.stream().map(Candidates::getContextId).toList());
        Set<String> newDialogues = new HashSet<>(concat(watched, posted));
        if (unansweredCopies == 1) {
            newDialogues.add(unanswered);
        }
        assertThat(candidates.stream().map(Candidates::getDialogueId).filter(newDialogues::contains)
                .collect(Collectors.toSet())).as("every new dialogue processed").isEqualTo(newDialogues);

        // each round's checkpoint once per mode; the rounds finished before the kill not trained again
        List<Checkpoint> checkpoints = checkpoints(guest);
        assertOnceEach(checkpoints, UpKillTest::roundKey, "checkpoints per round and mode");
        assertThat(checkpoints.stream().map(UpKillTest::roundKey).toList()).containsAll(roundsBeforeKill);
        System.out.printf("restart: %d contexts, %d new dialogues, checkpoints %s (before the kill %s)%n",
                candidates.size(), newDialogues.size(), checkpoints.stream().map(UpKillTest::roundKey).sorted()
                        .toList(), roundsBeforeKill);
    }

    private static List<Checkpoint> checkpoints(Platform guest) {
        return NewDialogues.readNow(guest, Topics.CHECKPOINTS);
    }

    private static String roundKey(Checkpoint c) {
        return c.getRound() + "/" + c.getMode() + "/" + c.getStage();
    }

    private static <T> void assertOnceEach(List<T> records, Function<T, String> key, String what) {
        Map<String, Long> counts = records.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
        assertThat(counts).as(what).allSatisfy((k, n) -> assertThat(n).as(k).isEqualTo(1L));
    }

    private static <V> List<V> values(List<ConsumerRecord<String, V>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
