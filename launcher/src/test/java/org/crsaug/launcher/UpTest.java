package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.crsaug.launcher.UpFixture.cli;
import static org.crsaug.launcher.UpFixture.dialogue;
import static org.crsaug.launcher.UpFixture.post;
import static org.crsaug.launcher.UpFixture.print;
import static org.crsaug.launcher.UpFixture.text;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crsaug.launcher.UpFixture.Cli;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.kafka.PlatformAddress;
import org.crsaug.platform.kafka.StateDirLock;
import org.crsaug.platform.topic.Topics;
import org.crsaug.scorer.ScorerService;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.Scrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs up} on a synthetic INSPIRED slice with its own embedded platform: it becomes ready and
 * publishes its addresses, other commands on the same state directory attach to it and work, it stops
 * cleanly, and a second {@code up} on the same directory resumes without encoding anything again.
 */
class UpTest {

    private static final String[] RETRIEVER_OK = {"stage", "retriever", "outcome", "ok"};

    @Test
    void upRunsAttachesOtherCommandsStopsCleanlyAndResumes(@TempDir Path tmp) throws Exception {
        CrsConfig config = UpFixture.onSlice(tmp, Map.of("train", 16, "valid", 4, "test", 4), Map.of());
        Path state = config.getPath("state.dir");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Scrape atStart = Scrape.now();
        try (ContinuousRun up = ContinuousRun.start(config, List.of("inspired"), print(out), false)) {
            assertThat(text(out)).contains("crs up: ready in", up.platform().bootstrapServers(),
                    up.platform().registryUrl(), "platform.json");
            PlatformAddress address = PlatformAddress.read(state).orElseThrow();
            assertThat(address.bootstrapServers()).isEqualTo(up.platform().bootstrapServers());
            assertThat(address.schemaRegistryUrl()).isEqualTo(up.platform().registryUrl());
            assertThat(address.http()).containsKey("recommendations");
            assertThat(address.topics()).contains("dialogues", "candidates");
            // up goes on to process what it ingested (a group's lag says nothing before its first commit)
            Matcher ingested = Pattern.compile("(\\d+) dialogues \\((\\d+) new").matcher(text(out));
            assertThat(ingested.find()).as(text(out)).isTrue();
            int dialogues = Integer.parseInt(ingested.group(2));
            assertThat(dialogues).isPositive();
            Await.until("the ingested slice retrieved", Duration.ofMinutes(3),
                    () -> Scrape.now().delta(atStart, "crs_stage_records_total", RETRIEVER_OK) >= dialogues);

            // another command on the same state directory attaches instead of starting a second broker
            Scrape before = Scrape.now();
            Path dialogue = dialogue(tmp, "live:1");
            long started = System.nanoTime();
            Cli ingest = cli("ingest", "--state-dir", state.toString(), "--dataset", "inspired", "--file",
                    dialogue.toString());
            double ingestSeconds = (System.nanoTime() - started) / 1e9;
            assertThat(ingest.rc()).as(ingest.err()).isZero();
            assertThat(ingest.out()).contains("1 dialogue published", "published inspired:live:1");
            System.out.printf("attached crs ingest --file of one dialogue (in-process): %.2f s%n", ingestSeconds);
            // ... and crs up's retriever processes it
            Await.until("the attached dialogue retrieved", Duration.ofMinutes(2),
                    () -> Scrape.now().delta(before, "crs_stage_records_total", RETRIEVER_OK) > 0);

            Cli status = cli("status", "--state-dir", state.toString());
            assertThat(status.rc()).as(status.err()).isZero();
            assertThat(status.out()).contains("Kafka: " + up.platform().bootstrapServers(), "dialogues");

            // what `crs service scorer` beside it does: one more replica in crs up's scorer group
            try (Platform guest = Platform.start(config)) {
                assertThat(guest.attached()).isTrue();
                assertThat(guest.bootstrapServers()).isEqualTo(up.platform().bootstrapServers());
                ScorerService replica = ScorerService.create(guest);
                replica.start();
                try {
                    Await.until("two scorer replicas in the group", Duration.ofMinutes(2),
                            () -> UpFixture.groupMembers(up.platform(), ScorerService.APPLICATION_ID).size() == 2);
                } finally {
                    replica.stop();
                }
            }
            assertThat(state.resolve("streams-attached").resolve("pid-" + ProcessHandle.current().pid()))
                    .as("the guest's stream state is dropped").doesNotExist();

            // a command that runs a platform of its own is refused, naming crs up
            assertThatThrownBy(() -> Platform.startExclusive(config)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("crs up is already running").hasMessageContaining("--state-dir");
        }
        assertThat(PlatformAddress.file(state)).as("removed on a clean stop").doesNotExist();
        assertThat(StateDirLock.heldHere(state)).isFalse();

        // again on the same directory: the dataset is published already and nothing is encoded twice
        Scrape beforeResume = Scrape.now();
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        try (ContinuousRun up = ContinuousRun.start(config, List.of("inspired"), print(again), false)) {
            assertThat(text(again)).contains("(0 new or changed)", "crs up: ready in");
            Cli ingest = cli("ingest", "--state-dir", state.toString(), "--dataset", "inspired", "--file",
                    dialogue(tmp, "live:2").toString());
            assertThat(ingest.rc()).as(ingest.err()).isZero();
            // and one through crs up's own HTTP port
            java.net.http.HttpResponse<String> posted = post(up, "api/dialogues",
                    Files.readString(dialogue(tmp, "live:3")));
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
            assertThat(posted.body()).contains("inspired:live:3");
            Await.until("the two new dialogues retrieved", Duration.ofMinutes(2),
                    () -> Scrape.now().delta(beforeResume, "crs_stage_records_total", RETRIEVER_OK) >= 2);
            // every partition has committed offsets since the first run, so no lag means all is retrieved
            UpFixture.awaitCaughtUp(up, Topics.DIALOGUES, org.crsaug.retriever.RetrieverService.APPLICATION_ID);
            // the two new dialogue records and nothing else: with the group's offsets lost, every dialogue of the
            // slice (and the first attached one) would have been retrieved again
            assertThat(Scrape.now().delta(beforeResume, "crs_stage_records_total", RETRIEVER_OK)).isEqualTo(2.0);
        }
    }

    @Test
    void withoutCrsUpABusyStateDirectoryIsRefusedNamingTheHolder(@TempDir Path tmp) {
        CrsConfig config = CrsConfig.defaults().with("state.dir", tmp.resolve("state").toString());
        try (Platform owner = Platform.start(config)) {
            Cli status = cli("status", "--state-dir", tmp.resolve("state").toString());
            assertThat(status.rc()).isEqualTo(1);
            assertThat(status.err()).contains("is in use by pid " + ProcessHandle.current().pid(), "crs up",
                    "--state-dir");
            assertThat(owner.attached()).isFalse();
        }
    }
}
