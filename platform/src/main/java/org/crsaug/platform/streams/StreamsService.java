package org.crsaug.platform.streams;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.crsaug.platform.deadletter.DeadLetterDeserializationHandler;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.service.Service;
import org.crsaug.platform.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a topology as a {@link Service}: exactly-once processing, undecodable input dead-lettered,
 * ready once the stream threads are RUNNING. A fatal error is kept so callers can report it instead
 * of waiting forever.
 */
public class StreamsService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsService.class);

    private final String name;
    private final Topology topology;
    private final Properties props;
    private final Platform platform;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile KafkaStreams streams;
    private io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics streamsMetrics;

    public StreamsService(String name, Platform platform, String applicationId, Topology topology) {
        this(name, platform, applicationId, topology, 1);
    }

    /** @param threads stream threads: tasks (partitions) processed side by side in this process */
    public StreamsService(String name, Platform platform, String applicationId, Topology topology, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.name = name;
        this.topology = topology;
        this.platform = platform;
        this.props = platform.streamsProps(applicationId);
        props.put(org.apache.kafka.streams.StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterDeserializationHandler.class.getName());
        props.put(DeadLetterDeserializationHandler.SERIALIZER_CONFIG,
                platform.valueSerde(Topics.DEAD_LETTERS).serializer());
        props.put(DeadLetterDeserializationHandler.TOPIC_CONFIG, platform.config().topic(Topics.DEAD_LETTERS));
        props.put(DeadLetterDeserializationHandler.STAGE_CONFIG, name);
        props.putIfAbsent(org.apache.kafka.streams.StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void start() {
        if (streams != null) {
            return;
        }
        requireTopicAccess();
        streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(this::onStreamThreadFailure);
        // process rates per processor and the embedded consumers' lag, on the service's /metrics
        streamsMetrics = new io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(org.crsaug.platform.metrics.CrsMetrics.registry());
        streams.start();
    }

    /**
     * On a secured cluster, a missing ACL on a topic this topology reads or writes fails here, naming it, instead
     * of at the first record (which may come hours later, or never in a test of the happy path).
     */
    private void requireTopicAccess() {
        java.util.Set<String> reads = new java.util.TreeSet<>();
        java.util.Set<String> writes = new java.util.TreeSet<>();
        for (org.apache.kafka.streams.TopologyDescription.Subtopology sub : topology.describe().subtopologies()) {
            for (org.apache.kafka.streams.TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof org.apache.kafka.streams.TopologyDescription.Source source
                        && source.topicSet() != null) {
                    reads.addAll(source.topicSet());
                } else if (node instanceof org.apache.kafka.streams.TopologyDescription.Sink sink
                        && sink.topic() != null) {
                    writes.add(sink.topic());
                }
            }
        }
        platform.requireAccess(reads, writes);
    }

    /**
     * What a stream thread's uncaught exception does; by default it stops the service and is kept as
     * its failure. Subclasses may recognise errors that mend by themselves and replace the thread.
     */
    protected StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onStreamThreadFailure(Throwable e) {
        LOG.error("{} stream thread failed", name, e);
        // a refused login or ACL becomes the message naming the setting and the grant
        failure.compareAndSet(null, platform.explain(e));
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    /**
     * Stops processing while every stream thread keeps polling, so no consumer overruns
     * {@code max.poll.interval.ms} and the group does not rebalance; {@link #resumeProcessing} undoes it.
     */
    // not synchronized: called from a stream thread's failure handler, which stop() may be waiting for
    protected void pauseProcessing() {
        KafkaStreams s = streams;
        if (s != null) {
            s.pause();
        }
    }

    protected void resumeProcessing() {
        KafkaStreams s = streams;
        if (s != null) {
            s.resume();
        }
    }

    /** The Kafka Streams client's metrics (its consumers' and producers' included); empty before start. */
    public synchronized java.util.Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric>
            metrics() {
        return streams == null ? java.util.Map.of() : streams.metrics();
    }

    @Override
    public synchronized void stop() {
        if (streamsMetrics != null) {
            streamsMetrics.close();
            streamsMetrics = null;
        }
        if (streams != null) {
            // leave the group: Kafka Streams otherwise stays a member until session.timeout.ms (45 s) passes,
            // so a restarted service (crs up again) or the remaining replicas would wait that long for its
            // partitions
            streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            streams = null;
        }
    }

    @Override
    public boolean isReady() {
        KafkaStreams s = streams;
        return s != null && s.state() == KafkaStreams.State.RUNNING;
    }

    @Override
    public Throwable failure() {
        return failure.get();
    }
}
