package org.crsaug.model.simulate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.store.TopicFollower;
import org.crsaug.platform.topic.Topics;
import org.crsaug.schema.SimulationEpisode;

/** The {@code simulation-episodes} topic: episodes written with their keys, and read back by simulation. */
public final class SimulationEpisodes {

    private SimulationEpisodes() {
    }

    /** Publishes the episodes and waits until every one is acknowledged: a printed table has its records. */
    public static void publish(Platform platform, List<SimulationEpisode> episodes) {
        String topic = platform.config().topic(Topics.SIMULATION_EPISODES);
        try (KafkaProducer<String, SimulationEpisode> producer =
                platform.producer(Topics.SIMULATION_EPISODES, "crs-simulate")) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (SimulationEpisode e : episodes) {
                sent.add(producer.send(new ProducerRecord<>(topic, Simulation.key(e), e)));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not publish the simulation's episodes to " + topic + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while publishing episodes to " + topic, e);
        }
    }

    /** The latest record of every episode of one simulation, by key, in the order first written. */
    public static Map<String, SimulationEpisode> read(Platform platform, String simulationId) {
        return read(platform, Set.of(simulationId)).getOrDefault(simulationId, Map.of());
    }

    /**
     * The same for several simulations in one pass over the topic (an experiment's checkpoints): per simulation
     * id that has episodes, its episodes by key.
     */
    public static Map<String, Map<String, SimulationEpisode>> read(Platform platform, Set<String> simulationIds) {
        Map<String, Map<String, SimulationEpisode>> out = new HashMap<>();
        try (TopicFollower<SimulationEpisode> f = new TopicFollower<>(platform, Topics.SIMULATION_EPISODES,
                "crs-simulation-reader")) {
            f.catchUp(r -> {
                if (r.value() == null) {
                    // a tombstone names its simulation only in its key, whose first two parts may hold '|'
                    out.values().forEach(episodes -> episodes.remove(r.key()));
                } else if (simulationIds.contains(r.value().getSimulationId())) {
                    out.computeIfAbsent(r.value().getSimulationId(), id -> new LinkedHashMap<>())
                            .put(r.key(), r.value());
                }
            }, Duration.ofMinutes(2));
        }
        return out;
    }
}
