package org.crsaug.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Which dialogues a bench sends again and again under fresh ids: {@code crs bench stream} and {@code soak}. */
final class StreamedDialogueOptions {

    @Option(names = "--dataset", defaultValue = "inspired", description = "Dataset of the dialogues, and the one crs up ingests where the bench starts it (default ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--file", paramLabel = "FILE", description = "Dialogues to send (one as JSON, a JSON list or JSON lines; repeatable), each sent again and again under fresh ids. Default: the dataset's valid.jsonl.")
    List<Path> files = new ArrayList<>();
}
