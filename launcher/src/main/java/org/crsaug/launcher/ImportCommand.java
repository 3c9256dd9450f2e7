package org.crsaug.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.crsaug.data.dataset.Utf8Text;
import org.crsaug.model.llm.PromptTemplate;
import org.crsaug.platform.artifact.ArtifactStore;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.scorer.imports.JudgementImport;
import org.crsaug.scorer.imports.JudgementRows;
import org.crsaug.scorer.imports.PublishedCatalogue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Bring data made outside the pipeline in.",
        subcommands = ImportCommand.Judgements.class,
        footer = {"", "Examples:", "  crs import judgements --file ratings.csv --judge-id annotators --judge-version 2024-05",
                "", "See docs/judges.md."})
final class ImportCommand implements Runnable {

    @Override
    public void run() {
        throw new ConfigException("name what to import: crs import judgements --file F.csv");
    }

    @Command(name = "judgements", mixinStandardHelpOptions = true,
            description = "Publish judgements made elsewhere (annotators, another LLM run) to the judgement cache, "
                    + "so the LLM judge takes them as cache hits.",
            footer = {"", "Examples:", "  crs import judgements --file ratings.csv --judge-id annotators --judge-version 2024-05",
                    "  crs import judgements --file other-run.jsonl --set scorer.llm.model=gpt-4o",
                    "", "CSV: a header naming context_id,item_id,score (other columns ignored); JSONL: one object with",
                    "those fields per line. Scores 0..4. A row is a hit for the scorer only under the same",
                    "scorer.llm.model, scorer.llm.prompt and retriever.context.max.chars as the import (see docs/judges.md).",
                    "Good rows and the dead letters of bad ones are published in one transaction. Exit code 3 when",
                    "a row was bad (see 'crs dlq list'), 1 when nothing could be done, 2 for a bad flag or setting."})
    static final class Judgements implements Callable<Integer> {

        /** A file of many thousand rows outlasts the platform's 10 s, meant for one body; a crash holds readers this long. */
        private static final int TRANSACTION_TIMEOUT_MS = 60_000;

        @Option(names = "--file", required = true, paramLabel = "FILE", description = "A .csv or .jsonl file of judgements.")
        Path file;

        @Option(names = "--judge-id", defaultValue = "import", description = "Who made them (provenance), default ${DEFAULT-VALUE}.")
        String judgeId;

        @Option(names = "--judge-version", description = "Their version, e.g. an annotation round (default: sha256 of the file, first 12 digits).")
        String judgeVersion;

        @Option(names = "--replace", description = "A pair already cached with another score takes the file's (without: the row is bad).")
        boolean replace;

        @Option(names = "--strict", description = "Any bad row: import no row, only dead-letter the bad ones.")
        boolean strict;

        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() throws IOException {
            CrsConfig config = options.load(Map.of());
            if (Files.isDirectory(file) || !Files.isRegularFile(file)) {
                throw new ConfigException("--file " + file + " is not a file; name a .csv or .jsonl file");
            }
            byte[] content = Utf8Text.readBytes(file);
            // refused before a broker starts: the format, the prompt the keys are computed with
            JudgementRows.Parsed rows = JudgementRows.parse(file.getFileName().toString(), content);
            String model = config.get("scorer.llm.model");
            if (model == null || model.isBlank()) {
                throw new ConfigException("scorer.llm.model must name the judge model the imported rows are cached for");
            }
            String promptVersion = PromptTemplate.load("scorer.llm.prompt", config.get("scorer.llm.prompt")).version();
            JudgementImport.Judge judge = new JudgementImport.Judge(model, promptVersion, judgeId,
                    judgeVersion != null ? judgeVersion : "sha256:" + ArtifactStore.sha256(content).substring(0, 12));
            Logging.toFile(config);
            JudgementImport.Outcome outcome;
            try (Platform platform = Platform.start(config)) {
                platform.ensureTopics();
                String id = "crs-import-judgements-" + UUID.randomUUID();
                Properties props = platform.transactionalProducerProps(id);
                props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
                PublishedCatalogue catalogue = new PublishedCatalogue(platform,
                        config.getInt("retriever.context.max.chars"), id);
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                        new ByteArraySerializer())) {
                    producer.initTransactions();
                    outcome = new JudgementImport(platform, producer).importRows(rows, file.toString(), catalogue,
                            judge, replace, strict);
                    producer.close(Duration.ofSeconds(5));
                }
            }
            outcome.bad().forEach(b -> System.err.println(file + ": " + b));
            System.out.println(file + ": " + outcome.summary() + " (judge " + judge.judgeId() + " "
                    + judge.judgeVersion() + ", cached for " + model + " " + promptVersion + ")");
            return outcome.clean() ? 0 : IngestCommand.BAD_RECORDS;
        }
    }
}
