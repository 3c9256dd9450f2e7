package org.crsaug.data.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.DeadLetter;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.IngestedFile;
import org.crsaug.testkit.AbandonedTransaction;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.NewDialogues;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs ingest --watch}: files dropped into a directory are ingested once each, by content, also
 * across a restart; files still being written are not read.
 */
class DirectoryWatcherTest {

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** What the watcher reported, in order; read by the test thread while the watcher thread appends. */
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    private final DirectoryWatcher.Listener listener = new DirectoryWatcher.Listener() {
        @Override
        public void ingested(Path file, DialogueIntake.Outcome outcome) {
            events.add("ingested " + file.getFileName() + ": " + outcome.summary());
        }

        @Override
        public void skipped(Path file, String why) {
            events.add("skipped " + file.getFileName());
        }

        @Override
        public void failed(Path file, RuntimeException error) {
            events.add("failed " + file.getFileName() + ": " + error.getMessage());
        }
    };

    /** Written beside the directory and renamed in, as the documented rule says a producer should. */
    private static void drop(Path dir, String name, String content) throws Exception {
        Path staged = dir.resolveSibling(name + ".staged");
        Files.writeString(staged, content, StandardCharsets.UTF_8);
        Files.move(staged, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void eachDroppedFileIsIngestedOnceAndARestartTakesOnlyTheNewOne(@TempDir Path tmp) throws Exception {
        Platform platform = kafka.platform(Map.of("topic.prefix", "watch-"));
        NewDialogues catalogue = NewDialogues.publishCatalogue(platform, tmp.resolve("data"));
        int datasetDialogues = NewDialogues.readNow(platform, Topics.DIALOGUES).size();
        Path dir = Files.createDirectories(tmp.resolve("incoming"));

        drop(dir, "one.json", NewDialogues.simple("w1", catalogue.title(0)));
        drop(dir, "list.json", "[" + NewDialogues.simple("w2a", catalogue.title(1)) + ",\n"
                + NewDialogues.simple("w2b", catalogue.title(2)) + "]");
        drop(dir, "lines.jsonl", NewDialogues.simple("w3", catalogue.title(3)) + "\n"
                + NewDialogues.inspiredLine("a heist please", catalogue.title(4)) + "\n"
                + NewDialogues.simple("w3bad", NewDialogues.UNKNOWN_TITLE) + "\n");

        try (DirectoryWatcher watcher = new DirectoryWatcher(platform, dir, "inspired", Duration.ZERO, listener)) {
            Thread loop = runInBackground(watcher);
            Await.until("markers of the three files", WAIT,
                    () -> NewDialogues.readNow(platform, Topics.INGESTED_FILES).size() >= 3);
            watcher.stop();
            loop.join();
        }
        assertThat(events).containsExactlyInAnyOrder(
                "ingested one.json: 1 dialogue published",
                "ingested list.json: 2 dialogues published",
                "ingested lines.jsonl: 2 dialogues published, 1 bad record sent to dead-letters");
        List<DeadLetter> letters = NewDialogues.await(platform, Topics.DEAD_LETTERS, "the dead letter of line 3",
                all -> !all.isEmpty());
        assertThat(letters).singleElement().satisfies(l -> {
            assertThat(l.getSourceTopic()).isEqualTo("file:" + dir.resolve("lines.jsonl").toAbsolutePath());
            assertThat(l.getOffset()).isEqualTo(3);
            assertThat(l.getError()).contains("line 3", "Unknown items", NewDialogues.UNKNOWN_TITLE);
        });

        // restarted: the three are known by their digests, only the fourth is read
        events.clear();
        drop(dir, "four.json", NewDialogues.simple("w4", catalogue.title(5)));
        try (DirectoryWatcher watcher = new DirectoryWatcher(platform, dir, "inspired", Duration.ZERO, listener)) {
            Thread loop = runInBackground(watcher);
            Await.until("the marker of four.json", WAIT, () -> NewDialogues.readNow(platform, Topics.INGESTED_FILES)
                    .stream().anyMatch(m -> m.getPath().endsWith("four.json")));
            watcher.stop();
            loop.join();
        }
        assertThat(events).containsExactlyInAnyOrder("skipped one.json", "skipped list.json", "skipped lines.jsonl",
                "ingested four.json: 1 dialogue published");

        // the old files come before the new one in the scan, so a repeat would already be on the topics
        List<IngestedFile> markers = NewDialogues.readNow(platform, Topics.INGESTED_FILES);
        assertThat(markers).extracting(m -> Path.of(m.getPath()).getFileName().toString())
                .containsExactlyInAnyOrder("one.json", "list.json", "lines.jsonl", "four.json");
        // the marker's partition may show the commit before the dialogues' partitions do
        List<String> fourth = List.of("inspired:w4");
        Map<String, Long> published = NewDialogues.await(platform, Topics.DIALOGUES, "the dialogue of four.json",
                        all -> all.stream().map(Dialogue::getDialogueId).toList().containsAll(fourth)).stream()
                .collect(Collectors.groupingBy(Dialogue::getDialogueId, Collectors.counting()));
        assertThat(published.values()).as("no dialogue published twice").containsOnly(1L);
        assertThat(published).hasSize(datasetDialogues + 6)
                .containsKeys("inspired:w1", "inspired:w2a", "inspired:w2b", "inspired:w3", "inspired:w4");
        assertThat(markers).filteredOn(m -> m.getPath().endsWith("lines.jsonl")).singleElement()
                .satisfies(m -> {
                    assertThat(m.getDialogues()).isEqualTo(2);
                    assertThat(m.getBadRecords()).isEqualTo(1);
                    assertThat(m.getSha256()).isEqualTo(DialogueIntake.sha256(Files.readAllBytes(dir.resolve("lines.jsonl"))));
                });
        assertThat(NewDialogues.readNow(platform, Topics.DEAD_LETTERS)).hasSize(1);
    }

    @Test
    void aFileStillBeingWrittenIsNotReadUntilItSettlesOrIsRenamedIntoPlace(@TempDir Path tmp) throws Exception {
        Platform platform = kafka.platform(Map.of("topic.prefix", "settle-"));
        NewDialogues catalogue = NewDialogues.publishCatalogue(platform, tmp.resolve("data"));
        Path dir = Files.createDirectories(tmp.resolve("incoming"));
        // scans are called here one at a time, so "not taken" is what a finished scan did, not a timeout
        try (DirectoryWatcher settling = new DirectoryWatcher(platform, dir, "inspired", Duration.ofHours(1),
                listener)) {
            Files.writeString(dir.resolve("growing.jsonl"), NewDialogues.simple("g1", catalogue.title(0)) + "\n");
            settling.scan();
            settling.scan();
            assertThat(events).as("written in place, not settled for an hour").isEmpty();
        }
        Files.delete(dir.resolve("growing.jsonl"));
        try (DirectoryWatcher atOnce = new DirectoryWatcher(platform, dir, "inspired", Duration.ZERO, listener)) {
            Path partial = dir.resolve("next.json.part");
            Files.writeString(partial, NewDialogues.simple("p1", catalogue.title(1)).substring(0, 30));
            Files.writeString(dir.resolve(".hidden.json"), "{");
            atOnce.scan();
            assertThat(events).as("a .part and a hidden name are never taken").isEmpty();

            Files.writeString(partial, NewDialogues.simple("p1", catalogue.title(1)));
            Files.move(partial, dir.resolve("next.json"), StandardCopyOption.ATOMIC_MOVE);
            atOnce.scan();
            assertThat(events).containsExactly("ingested next.json: 1 dialogue published");
            atOnce.scan();
            assertThat(events).as("an unchanged file is not read again").hasSize(1);
        }
        assertThat(NewDialogues.await(platform, Topics.DIALOGUES, "p1", all -> all.stream()
                .anyMatch(d -> d.getDialogueId().equals("inspired:p1")))).extracting(Dialogue::getDialogueId)
                .doesNotContain("inspired:g1");
        assertThat(NewDialogues.readNow(platform, Topics.DEAD_LETTERS)).isEmpty();
    }

    @Test
    void aWatcherKilledInsideItsTransactionLeavesNeitherARepeatNorASkip(@TempDir Path tmp) throws Exception {
        Platform platform = kafka.platform(Map.of("topic.prefix", "crash-"));
        NewDialogues catalogue = NewDialogues.publishCatalogue(platform, tmp.resolve("data"));
        Path dir = Files.createDirectories(tmp.resolve("incoming"));
        drop(dir, "c.json", NewDialogues.simple("c1", catalogue.title(0)));
        byte[] content = Files.readAllBytes(dir.resolve("c.json"));

        // the killed run had sent the file's dialogue and marker under the directory's transactional id
        // and died before committing: both are on the broker, in a transaction nobody will finish
        try (AbandonedTransaction killed = new AbandonedTransaction(platform, DirectoryWatcher.transactionalId(dir))) {
            killed.send(Topics.DIALOGUES, "inspired:c1", AbandonedTransaction.dialogue("inspired:c1", "killed run"));
            IngestedFile marker = IngestedFile.newBuilder().setSha256(DialogueIntake.sha256(content))
                    .setDataset("inspired").setPath("killed run").setDialogues(1).setBadRecords(0)
                    .setIngestedAtMs(0).build();
            killed.send(Topics.INGESTED_FILES, DialogueIntake.fileKey("inspired", marker.getSha256()), marker);

            // the restart fences the killed producer, which aborts its transaction, then scans once
            try (DirectoryWatcher watcher = new DirectoryWatcher(platform, dir, "inspired", Duration.ZERO,
                    listener)) {
                watcher.scan();
            }
        }
        assertThat(events).as("the aborted marker does not count: not skipped")
                .containsExactly("ingested c.json: 1 dialogue published");
        assertThat(NewDialogues.await(platform, Topics.INGESTED_FILES, "the marker", all -> !all.isEmpty()))
                .singleElement().satisfies(m -> assertThat(m.getPath()).endsWith("c.json"));
        assertThat(NewDialogues.await(platform, Topics.DIALOGUES, "c1", all -> all.stream()
                        .anyMatch(d -> d.getDialogueId().equals("inspired:c1"))))
                .filteredOn(d -> d.getDialogueId().equals("inspired:c1"))
                .as("the aborted dialogue is invisible to committed readers: not repeated").singleElement()
                .satisfies(d -> assertThat(d.getSource()).endsWith("c.json"));
    }

    @Test
    void aScanTakesNothingWhileAMarkerTransactionIsUndecided(@TempDir Path tmp) throws Exception {
        Platform platform = kafka.platform(Map.of("topic.prefix", "undecided-"));
        NewDialogues catalogue = NewDialogues.publishCatalogue(platform, tmp.resolve("data"));
        Path dir = Files.createDirectories(tmp.resolve("incoming"));
        String content = NewDialogues.simple("u1", catalogue.title(0));
        drop(dir, "u.json", content);

        // another run ingested the same content and was killed after asking to commit: its marker is written, and
        // committed readers will see it only once the broker writes the commit (here: once the test commits)
        try (AbandonedTransaction other = new AbandonedTransaction(platform, "another-ingest");
                DirectoryWatcher watcher = new DirectoryWatcher(platform, dir, "inspired", Duration.ZERO, listener)) {
            other.send(Topics.DIALOGUES, "inspired:u1", AbandonedTransaction.dialogue("inspired:u1", "other run"));
            IngestedFile marker = IngestedFile.newBuilder().setSha256(DialogueIntake.sha256(
                            content.getBytes(StandardCharsets.UTF_8)))
                    .setDataset("inspired").setPath("other run").setDialogues(1).setBadRecords(0)
                    .setIngestedAtMs(0).build();
            other.send(Topics.INGESTED_FILES, DialogueIntake.fileKey("inspired", marker.getSha256()), marker);

            watcher.scan();
            assertThat(events).as("nothing decided while the marker's transaction is open").isEmpty();

            other.commit();
            Await.until("the other run's marker visible", WAIT,
                    () -> !NewDialogues.readNow(platform, Topics.INGESTED_FILES).isEmpty());
            watcher.scan();
        }
        assertThat(events).containsExactly("skipped u.json");
        assertThat(NewDialogues.readNow(platform, Topics.DIALOGUES)).filteredOn(d -> d.getDialogueId()
                .equals("inspired:u1")).as("published once, by the other run").singleElement()
                .satisfies(d -> assertThat(d.getSource()).isEqualTo("other run"));
    }

    private static Thread runInBackground(DirectoryWatcher watcher) {
        Thread t = new Thread(() -> {
            try {
                watcher.run(Duration.ofMillis(50));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-watcher");
        t.start();
        return t;
    }
}
