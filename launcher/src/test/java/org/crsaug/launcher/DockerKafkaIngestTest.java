package org.crsaug.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.data.ingest.Ingestor;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.testkit.DataSlices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The Docker path: the same code against the broker image docker-compose.yml runs, as an external
 * cluster ({@code bootstrap.servers} set). Skips itself where no Docker engine is reachable.
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerKafkaIngestTest {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

    @Test
    void aDatasetSliceIsIngestedIntoADockerisedKafka(@TempDir Path tmp) throws Exception {
        Path data = DataSlices.inspiredSlice(tmp.resolve("data"), Map.of("train", 10, "valid", 2, "test", 2));
        CrsConfig config = CrsConfig.load(null, Map.of(), Map.of("bootstrap.servers", KAFKA.getBootstrapServers(),
                "state.dir", tmp.resolve("state").toString(), "topic.partitions", "2"));
        try (Platform platform = Platform.start(config)) {
            platform.ensureTopics();
            try (Ingestor ingestor = new Ingestor(platform)) {
                Ingestor.Report r = ingestor.ingestDataset("inspired", data.resolve("inspired"));
                assertThat(r.dialoguesPublished()).isEqualTo(14);
            }
            PipelineStatus.Snapshot status = PipelineStatus.collect(platform);
            assertThat(status.topics()).anySatisfy(t -> {
                assertThat(t.topic()).isEqualTo(config.topic(org.crsaug.platform.topic.Topics.DIALOGUES));
                assertThat(t.records()).isEqualTo(14);
            });
        }
    }
}
