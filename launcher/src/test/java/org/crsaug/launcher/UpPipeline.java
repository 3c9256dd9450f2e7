package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.topic.TopicSpec;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.AugmentedLabels;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.crsaug.testkit.Await;
import org.crsaug.testkit.NewDialogues;
import org.crsaug.testkit.TestKafka;

/**
 * What a running {@code crs up} made of the dialogues it was given, as its topics (read committed) and its
 * HTTP API show it: their training contexts, the candidates and augmented-labels records of each, and the
 * rounds trained and evaluated on them. Shared by the crs up tests.
 */
final class UpPipeline {

    private static final Duration WAIT = Duration.ofMinutes(2);
    /** Contexts of each {@link #newDialogue}: its recommender suggests two titles, one turn each. */
    static final int CONTEXTS_PER_NEW_DIALOGUE = 2;

    private UpPipeline() {
    }

    /**
     * A new train dialogue naming {@code titles} (see {@link #catalogueTitles}): the n-th dialogue names the
     * titles from 3n on, and has two contexts.
     */
    static String newDialogue(String id, int n, List<String> titles) {
        return UpFixture.trainDialogue(id, title(titles, 3 * n),
                List.of(title(titles, 3 * n + 1), title(titles, 3 * n + 2)));
    }

    private static String title(List<String> titles, int n) {
        return titles.get(n % titles.size());
    }

    /**
     * {@code source} again as a new train dialogue {@code id} in the simple format: the same turns, items by
     * id, so it has the same training contexts (under new ids) with the same gold items.
     */
    static String retold(Dialogue source, String id) {
        com.fasterxml.jackson.databind.node.ObjectNode body = UpFixture.JSON.createObjectNode();
        body.put("dialogueId", id).put("split", "train");
        com.fasterxml.jackson.databind.node.ArrayNode turns = body.putArray("turns");
        for (org.crsaug.schema.Turn turn : source.getTurns()) {
            com.fasterxml.jackson.databind.node.ObjectNode t = turns.addObject();
            t.put("role", turn.getRole().name()).put("text", turn.getText());
            turn.getMentionedItemIds().forEach(t.putArray("items")::add);
        }
        return body.toString();
    }

    /** Catalogue titles with metadata, sorted: what new dialogues can name. */
    static List<String> catalogueTitles(Platform platform) {
        List<String> titles = NewDialogues.readNow(platform, Topics.ITEMS).stream()
                .filter(i -> i != null && i.getHasMetadata()).map(Item::getTitle).sorted().toList();
        assertThat(titles).as("catalogue titles").hasSizeGreaterThan(10);
        return titles;
    }

    /** The dialogues published so far (committed), by id. */
    static Map<String, Dialogue> dialogues(Platform platform) {
        Map<String, Dialogue> out = new HashMap<>();
        NewDialogues.readNow(platform, Topics.DIALOGUES).stream().filter(d -> d != null)
                .forEach(d -> out.put(d.getDialogueId(), d));
        return out;
    }

    /** The training contexts of the given dialogues: those the retriever makes candidates for. */
    static Set<String> contexts(Platform platform, Set<String> dialogueIds) {
        Set<String> out = new TreeSet<>();
        dialogues(platform).forEach((id, d) -> {
            if (dialogueIds.contains(id) && d.getSplit().toString().equals("train")) {
                DialogueContexts.derive(d).stream().map(DialogueContext::contextId).forEach(out::add);
            }
        });
        return out;
    }

    /** Waits until every one of {@code contexts} has candidates and augmented labels (committed). */
    static void awaitAugmented(ContinuousRun up, Set<String> contexts) throws InterruptedException {
        assertThat(contexts).isNotEmpty();
        Await.until(contexts.size() + " contexts augmented", WAIT, () -> {
            up.checkHealth();
            return candidatesPerContext(up.platform(), contexts).size() == contexts.size()
                    && labelsPerContext(up.platform(), contexts).size() == contexts.size();
        });
    }

    static Map<String, Long> candidatesPerContext(Platform platform, Set<String> contexts) {
        return perContext(platform, Topics.CANDIDATES, contexts, Candidates::getContextId);
    }

    static Map<String, Long> labelsPerContext(Platform platform, Set<String> contexts) {
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
    static Map<Integer, Long> labelOffsets(Platform platform, Set<String> contexts) {
        Map<Integer, Long> last = new HashMap<>();
        for (var r : TestKafka.readAll(platform, Topics.AUGMENTED_LABELS, 1, WAIT)) {
            if (contexts.isEmpty() || contexts.contains(r.value().getContextId())) {
                last.merge(r.partition(), r.offset(), Math::max);
            }
        }
        return last;
    }

    /** The checkpoints of {@code GET /api/checkpoints}: round and validation score of each. */
    record Rounds(Map<String, Integer> rounds, Map<String, Double> scores) {

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

        OptionalDouble bestUpTo(int round) {
            return rounds.entrySet().stream().filter(e -> e.getValue() <= round && scores.containsKey(e.getKey()))
                    .mapToDouble(e -> scores.get(e.getKey())).max();
        }

        /** How many checkpoints each round has. */
        Map<Integer, Long> checkpointsPerRound() {
            return rounds.values().stream().collect(Collectors.groupingBy(r -> r, Collectors.counting()));
        }

        double best() {
            return bestAfter(0).orElseThrow();
        }
    }

    /**
     * Waits until {@code GET /api/checkpoints} lists a checkpoint of a round after {@code afterRound} trained on
     * every label offset given, every round with a checkpoint per mode of {@code trainer.modes} (a round
     * publishes its modes one by one), and every checkpoint evaluated; returns them all.
     */
    static Rounds awaitRoundsCovering(ContinuousRun up, Map<Integer, Long> labelOffsets, int afterRound,
            String metric) throws InterruptedException {
        String labelsTopic = up.platform().config().topic(Topics.AUGMENTED_LABELS);
        long modes = Arrays.stream(up.platform().config().get("trainer.modes").split(","))
                .filter(m -> !m.isBlank()).count();
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
                    Rounds all = new Rounds(rounds, scores);
                    boolean complete = all.checkpointsPerRound().values().stream().allMatch(n -> n == modes);
                    return covered && complete ? all : null;
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

    /** The JSON answer, or null while the server is still reading the topics (503): for polling. */
    static JsonNode json(ContinuousRun up, String path) {
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
