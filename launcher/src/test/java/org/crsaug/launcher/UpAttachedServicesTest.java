package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.crsaug.launcher.UpFixture.cli;
import static org.crsaug.launcher.UpFixture.print;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.crsaug.evaluator.EvaluatorService;
import org.crsaug.launcher.UpFixture.Cli;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.service.Service;
import org.crsaug.retriever.RetrieverService;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.PipelineInputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs service NAME} beside a running {@code crs up} on the same state directory: a retriever or an
 * evaluator joins crs up's consumer group as one more member and hands its partitions back when it stops;
 * a second trainer is refused, naming crs up, and crs up's own trainer goes on.
 */
class UpAttachedServicesTest {

    private static final Duration WAIT = Duration.ofMinutes(2);

    @Test
    void retrieverAndEvaluatorJoinCrsUpsGroupsAndASecondTrainerIsRefused(@TempDir Path tmp) throws Exception {
        CrsConfig config = UpFixture.onSlice(tmp, Map.of("train", 8, "valid", 2, "test", 2), Map.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ContinuousRun up = ContinuousRun.start(config, List.of("inspired"), print(out), false)) {
            // what `crs service retriever` and `crs service evaluator` beside it do
            try (Platform guest = Platform.start(config)) {
                assertThat(guest.attached()).isTrue();
                joinsAndLeaves(up, new RetrieverService(guest), RetrieverService.APPLICATION_ID);
                joinsAndLeaves(up, new EvaluatorService(guest), EvaluatorService.GROUP_ID);
            }

            // `crs service trainer` beside it: trainers share no group, so a second one would train every round
            // again; it stops at once, naming the trainer that runs
            Cli trainer = CompletableFuture.supplyAsync(() -> cli("service", "trainer", "--state-dir",
                    config.getPath("state.dir").toString())).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(trainer.rc()).as(trainer.out() + trainer.err()).isEqualTo(1);
            assertThat(trainer.err()).contains("A trainer already runs on the state directory",
                    "pid " + ProcessHandle.current().pid(), "Only one trainer per state directory",
                    "crs up runs a trainer already");
            // ... and crs up's trainer (every part of crs up) is unharmed
            up.checkHealth();
        }
    }

    /**
     * Starts {@code service} attached and waits until crs up's group {@code group} has its members too (as
     * many as crs up's: one per stream thread); after it stops, the group is back to crs up's own members.
     */
    private static void joinsAndLeaves(ContinuousRun up, Service service, String group) throws InterruptedException {
        int own = UpFixture.groupMembers(up.platform(), group).size();
        assertThat(own).as("crs up's members of " + group).isPositive();
        PipelineInputs.awaitReady(startOf(service), WAIT);
        try {
            Await.until("twice " + own + " members in " + group, WAIT, () -> {
                up.checkHealth();
                return UpFixture.groupMembers(up.platform(), group).size() == 2 * own;
            });
        } finally {
            service.stop();
        }
        assertThat(service.failure()).isNull();
        Await.until("crs up's members alone in " + group + " again", WAIT,
                () -> UpFixture.groupMembers(up.platform(), group).size() == own);
    }

    private static Service startOf(Service service) {
        service.start();
        return service;
    }
}
