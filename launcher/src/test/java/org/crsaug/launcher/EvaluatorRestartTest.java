package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crsaug.model.recommender.TrainingMode;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.DataSet;
import org.crsaug.testkit.DataSlices;
import org.crsaug.testkit.PipelineInputs;
import org.crsaug.testkit.TestKafka;
import org.crsaug.platform.topic.Topics;
import org.crsaug.evaluator.EvaluatorService;
import org.crsaug.schema.Checkpoint;
import org.crsaug.schema.Evaluation;
import org.crsaug.trainer.TrainerService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluator restarted on a real embedded broker: it resumes from its committed offset on the
 * checkpoints topic, so a checkpoint evaluated before the restart is not evaluated again and one
 * published while it was down is evaluated exactly once. Checkpoints come from a real trainer.
 */
class EvaluatorRestartTest {

    private static final Duration WAIT = Duration.ofMinutes(3);
    /** Started once for the class, closed after its last test. */
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    private static <S extends org.crsaug.platform.service.Service> S start(S service) throws InterruptedException {
        service.start();
        return PipelineInputs.awaitReady(service, Duration.ofSeconds(60));
    }

    /** How many records of {@code topic} an evaluation read, over every partition. */
    private static long recordsRead(Evaluation e, String topic) {
        return e.getInputRanges().stream().filter(r -> r.getTopic().equals(topic))
                .mapToLong(r -> r.getUntilOffset() - r.getFromOffset()).sum();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.crsaug.testkit.DataSlices#dataSets")
    void aRestartedEvaluatorEvaluatesOnlyTheCheckpointsItHasNotEvaluated(DataSet data, @TempDir Path tmp)
            throws Exception {
        // Given pipeline inputs, a trainer that trains on request and an evaluator with two protocols
        Path slice = DataSlices.inspiredSlice(data, tmp.resolve("data"), Map.of("train", 30, "valid", 6, "test", 10));
        Platform p = kafka.platform(Map.of("topic.prefix", "eval-restart-" + data + ".", "artifact.dir",
                tmp.resolve("artifacts").toString(), "trainer.round.min.new.labels", "0", "trainer.hidden", "16",
                "trainer.pretrain.epochs", "2", "trainer.finetune.epochs", "2", "evaluator.protocols", "strict,lenient",
                "kafka.session.timeout.ms", "6000"));
        PipelineInputs.publish(p, slice);
        TrainerService trainer = start(new TrainerService(p));
        List<Evaluation> byFirst = new CopyOnWriteArrayList<>();
        List<Evaluation> bySecond = new CopyOnWriteArrayList<>();
        try {
            EvaluatorService first = new EvaluatorService(p);
            first.onEvaluation(byFirst::add);
            start(first);
            Checkpoint cp1;
            try {
                // When round 1 is trained and evaluated
                cp1 = trainer.requestRound("inspired", List.of(TrainingMode.BASELINE)).get(3, TimeUnit.MINUTES).get(0);
                Await.until("both evaluations of " + cp1.getCheckpointId(), WAIT, () -> byFirst.size() == 2);
            } finally {
                first.stop();
            }
            assertThat(first.failure()).isNull();

            // ... and a new test dialogue arrives, and round 2 is published while the evaluator is down, which
            // then starts again
            List<String> newTestContexts = PipelineInputs.publishAgainAs(p, "test", "inspired:test-retold");
            assertThat(newTestContexts).isNotEmpty();
            Checkpoint cp2 = trainer.requestRound("inspired", List.of(TrainingMode.BASELINE)).get(3, TimeUnit.MINUTES)
                    .get(0);
            EvaluatorService second = new EvaluatorService(p);
            second.onEvaluation(bySecond::add);
            start(second);
            try {
                Await.until("both evaluations of " + cp2.getCheckpointId(), WAIT, () -> bySecond.size() >= 2);
            } finally {
                second.stop();
            }
            assertThat(second.failure()).isNull();

            // Then each checkpoint was evaluated exactly once per protocol: 2 x 2 records, none repeated
            assertThat(byFirst).extracting(Evaluation::getCheckpointId).containsOnly(cp1.getCheckpointId());
            assertThat(bySecond).extracting(Evaluation::getCheckpointId).containsOnly(cp2.getCheckpointId());
            assertThat(bySecond).extracting(Evaluation::getProtocol).containsExactlyInAnyOrder("strict", "lenient");
            List<ConsumerRecord<String, Evaluation>> all = TestKafka.readAll(p, Topics.EVALUATIONS, 4, WAIT);
            assertThat(all).extracting(ConsumerRecord::key).containsExactlyInAnyOrder(
                    cp1.getCheckpointId() + "|strict", cp1.getCheckpointId() + "|lenient",
                    cp2.getCheckpointId() + "|strict", cp2.getCheckpointId() + "|lenient");

            // The new test dialogue counts from the next checkpoint on, and each evaluation says what it read
            Evaluation before = byFirst.stream().filter(e -> e.getProtocol().equals("strict")).findFirst().orElseThrow();
            Evaluation after = bySecond.stream().filter(e -> e.getProtocol().equals("strict")).findFirst().orElseThrow();
            // (a copy of a test dialogue: its contexts are evaluable where the original's were)
            assertThat(after.getMetrics().get("test_contexts")).isGreaterThan(before.getMetrics().get("test_contexts"))
                    .isLessThanOrEqualTo(before.getMetrics().get("test_contexts") + newTestContexts.size());
            String dialogues = p.config().topic(Topics.DIALOGUES);
            assertThat(recordsRead(after, dialogues)).isEqualTo(recordsRead(before, dialogues) + 1);
            assertThat(recordsRead(before, p.config().topic(Topics.EMBEDDINGS))).isPositive();
        } finally {
            trainer.stop();
        }
    }

    /** Whether the evaluator's worker thread is inside a training now (the CS@k model's). */
    private static boolean evaluatorTraining() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals("evaluator"))
                .anyMatch(e -> java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().equals(
                        org.crsaug.model.recommender.RecommenderTrainer.class.getName())));
    }

    @Test
    void anEvaluatorStoppedWhileItsCollaborativeModelTrainsNeitherPublishesNorDeadLettersAndEvaluatesOnRestart(
            @TempDir Path tmp) throws Exception {
        Path slice = DataSlices.inspiredSlice(DataSlices.synthetic(), tmp.resolve("data"),
                Map.of("train", 30, "valid", 6, "test", 10));
        Map<String, String> settings = Map.of("topic.prefix", "eval-stop.", "artifact.dir",
                tmp.resolve("artifacts").toString(), "trainer.round.min.new.labels", "0", "trainer.hidden", "16",
                "trainer.pretrain.epochs", "2", "trainer.finetune.epochs", "2", "kafka.session.timeout.ms", "6000");
        Platform p = kafka.platform(settings);
        PipelineInputs.publish(p, slice);
        TrainerService trainer = start(new TrainerService(p));
        try {
            Checkpoint cp = trainer.requestRound("inspired", List.of(TrainingMode.BASELINE)).get(3, TimeUnit.MINUTES)
                    .get(0);
            // Given an evaluator whose CS@k model would train far longer than anyone waits
            Map<String, String> endless = new java.util.HashMap<>(settings);
            endless.put("trainer.finetune.epochs", "1000000");
            endless.put("trainer.patience", "1000000");
            List<Evaluation> byFirst = new CopyOnWriteArrayList<>();
            EvaluatorService first = new EvaluatorService(kafka.platform(endless));
            first.onEvaluation(byFirst::add);
            start(first);
            try {
                Await.until("the evaluator training its CS@k model", WAIT,
                        EvaluatorRestartTest::evaluatorTraining);
            } finally {
                // When it is stopped then
                first.stop();
            }
            // Then the training was given up, nothing went out, and the checkpoint is not a dead letter
            assertThat(evaluatorTraining()).as("still training after stop()").isFalse();
            assertThat(first.failure()).isNull();
            assertThat(byFirst).isEmpty();
            assertThat(TestKafka.readAll(p, Topics.DEAD_LETTERS, 0, WAIT)).isEmpty();
            assertThat(TestKafka.readAll(p, Topics.EVALUATIONS, 0, WAIT)).isEmpty();

            // and an evaluator started again evaluates the checkpoint, whose offset was not committed
            List<Evaluation> bySecond = new CopyOnWriteArrayList<>();
            EvaluatorService second = new EvaluatorService(p);
            second.onEvaluation(bySecond::add);
            start(second);
            try {
                Await.until("the evaluation of " + cp.getCheckpointId(), WAIT, () -> !bySecond.isEmpty());
            } finally {
                second.stop();
            }
            assertThat(bySecond).extracting(Evaluation::getCheckpointId).containsOnly(cp.getCheckpointId());
            assertThat(bySecond.get(0).getMetrics()).containsKey("cs@10");
        } finally {
            trainer.stop();
        }
    }
}
