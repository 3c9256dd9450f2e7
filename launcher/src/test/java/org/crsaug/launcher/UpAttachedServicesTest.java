package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.crsaug.launcher.UpFixture.cli;
import static org.crsaug.launcher.UpFixture.getJson;
import static org.crsaug.launcher.UpFixture.print;
import static org.crsaug.launcher.UpPipeline.awaitAugmented;
import static org.crsaug.launcher.UpPipeline.awaitRoundsCovering;
import static org.crsaug.launcher.UpPipeline.candidatesPerContext;
import static org.crsaug.launcher.UpPipeline.contexts;
import static org.crsaug.launcher.UpPipeline.dialogues;
import static org.crsaug.launcher.UpPipeline.labelOffsets;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.crsaug.evaluator.EvaluatorService;
import org.crsaug.launcher.UpFixture.Cli;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.service.Service;
import org.crsaug.platform.topic.Topics;
import org.crsaug.retriever.RetrieverService;
import org.crsaug.schema.Evaluation;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.PipelineInputs;
import org.crsaug.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs service NAME} beside a running {@code crs up} on the same state directory: a retriever and an
 * evaluator join crs up's consumer groups as more members, new dialogues and a new round are then handled
 * exactly once between them, and they hand their partitions back when they stop; a second trainer is refused,
 * naming crs up, and crs up's own trainer goes on.
 */
class UpAttachedServicesTest {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final int NEW_DIALOGUES = 6;

    @Test
    void retrieverAndEvaluatorShareCrsUpsWorkAndASecondTrainerIsRefused(@TempDir Path tmp) throws Exception {
        CrsConfig config = UpFixture.onSlice(tmp, Map.of("train", 8, "valid", 2, "test", 2), Map.of(
                "trainer.round.min.new.labels", "1", "trainer.round.quiet.ms", "2000",
                "trainer.pretrain.epochs", "2", "trainer.finetune.epochs", "3", "trainer.hidden", "64"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ContinuousRun up = ContinuousRun.start(config, List.of("inspired"), print(out), false)) {
            Platform platform = up.platform();
            String metric = getJson(up, "api/status").path("selectionMetric").asText();
            // the slice is augmented, trained on and evaluated before anything joins: an evaluation under way while
            // the group rebalances may be done again (operations.md), which is not what is checked here
            awaitAugmented(up, contexts(platform, dialogues(platform).keySet()));
            UpPipeline.Rounds before = awaitRoundsCovering(up, labelOffsets(platform, Set.of()), 0, metric);
            int ownRetrievers = settledMembers(up, RetrieverService.APPLICATION_ID);
            int ownEvaluators = settledMembers(up, EvaluatorService.GROUP_ID);

            // what `crs service retriever` and `crs service evaluator` beside it do
            Set<String> contexts;
            UpPipeline.Rounds after;
            try (Platform guest = Platform.start(config)) {
                assertThat(guest.attached()).isTrue();
                RetrieverService retriever = new RetrieverService(guest);
                EvaluatorService evaluator = new EvaluatorService(guest);
                try {
                    PipelineInputs.awaitReady(startOf(retriever), WAIT);
                    PipelineInputs.awaitReady(startOf(evaluator), WAIT);
                    awaitMembers(up, RetrieverService.APPLICATION_ID, 2 * ownRetrievers);
                    awaitMembers(up, EvaluatorService.GROUP_ID, 2 * ownEvaluators);

                    // new dialogues, and the round trained on them, while both groups have their guest members
                    List<String> titles = UpPipeline.catalogueTitles(platform);
                    List<String> bodies = new ArrayList<>();
                    for (int i = 0; i < NEW_DIALOGUES; i++) {
                        bodies.add(UpPipeline.newDialogue("attached-" + i, i, titles));
                    }
                    var posted = UpFixture.post(up, "api/dialogues", "[" + String.join(", ", bodies) + "]");
                    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
                    Set<String> ids = new TreeSet<>();
                    UpFixture.JSON.readTree(posted.body()).path("accepted").forEach(id -> ids.add(id.asText()));
                    contexts = contexts(platform, ids);
                    assertThat(contexts).hasSize(NEW_DIALOGUES * UpPipeline.CONTEXTS_PER_NEW_DIALOGUE);
                    awaitAugmented(up, contexts);
                    after = awaitRoundsCovering(up, labelOffsets(platform, contexts), before.lastRound(), metric);
                    // every evaluation committed before the guests leave: none is under way during that rebalance
                    UpFixture.awaitCaughtUp(up, Topics.CHECKPOINTS, EvaluatorService.GROUP_ID);
                    UpFixture.awaitCaughtUp(up, Topics.DIALOGUES, RetrieverService.APPLICATION_ID);
                } finally {
                    retriever.stop();
                    evaluator.stop();
                }
                assertThat(retriever.failure()).isNull();
                assertThat(evaluator.failure()).isNull();
            }
            // ... they hand their partitions back
            awaitMembers(up, RetrieverService.APPLICATION_ID, ownRetrievers);
            awaitMembers(up, EvaluatorService.GROUP_ID, ownEvaluators);

            // ... and what the groups did while they were two is done once: one candidates record per new
            // context, one evaluation per checkpoint of the new round and protocol
            assertThat(candidatesPerContext(platform, contexts)).hasSize(contexts.size())
                    .allSatisfy((c, n) -> assertThat(n).as(c).isOne());
            List<String> newCheckpoints = after.idsAfter(before.lastRound());
            Map<String, Long> evaluations = TestKafka.readAll(platform, Topics.EVALUATIONS, 0, WAIT).stream()
                    .map(r -> r.value()).filter(ev -> newCheckpoints.contains(ev.getCheckpointId()))
                    .collect(Collectors.groupingBy(UpAttachedServicesTest::evaluationKey, Collectors.counting()));
            int protocols = config.get("evaluator.protocols").split(",").length;
            assertThat(evaluations).hasSize(newCheckpoints.size() * protocols)
                    .allSatisfy((key, n) -> assertThat(n).as(key).isOne());

            // `crs service trainer` beside it: trainers share no group, so a second one would train every round
            // again; it stops at once, naming the trainer that runs
            Cli trainer = CompletableFuture.supplyAsync(() -> cli("service", "trainer", "--state-dir",
                    config.getPath("state.dir").toString())).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(trainer.rc()).as(trainer.out() + trainer.err()).isEqualTo(1);
            assertThat(trainer.err()).contains("A trainer already runs on the state directory",
                    "pid " + ProcessHandle.current().pid(), "Only one trainer per state directory",
                    "The crs up running there has its own trainer");
            // ... and crs up's trainer (every part of crs up) is unharmed
            up.checkHealth();
        }
    }

    private static String evaluationKey(Evaluation ev) {
        return ev.getCheckpointId() + "|" + ev.getProtocol();
    }

    /** crs up's own members of {@code group} once it has settled: one per stream thread, or one consumer. */
    private static int settledMembers(ContinuousRun up, String group) throws InterruptedException {
        return Await.value("crs up's members of " + group, WAIT, () -> {
            int n = UpFixture.groupMembers(up.platform(), group).size();
            return n > 0 ? n : null;
        });
    }

    private static void awaitMembers(ContinuousRun up, String group, int members) throws InterruptedException {
        Await.until(members + " members in " + group, WAIT, () -> {
            up.checkHealth();
            return UpFixture.groupMembers(up.platform(), group).size() == members;
        });
    }

    private static Service startOf(Service service) {
        service.start();
        return service;
    }
}
