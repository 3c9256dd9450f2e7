package org.crsaug.launcher;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.deadletter.DeadLetterStore;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.schema.DeadLetter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "List dead letters, or re-submit them to the topic they came from once the cause is fixed.",
        footer = {"", "Examples:", "  crs dlq list", "  crs dlq list --stage scorer --limit 10",
                "  crs dlq resubmit --key candidates@0:42", "  crs dlq resubmit --stage scorer --all"})
final class DlqCommand implements Callable<Integer> {

    enum Action { list, resubmit }

    @Parameters(index = "0", description = "list or resubmit.")
    Action action;

    @Option(names = "--stage", description = "Only letters rejected by this stage (ingest, retriever, scorer, evaluator, ...).")
    String stage;

    @Option(names = "--key", description = "Only the letter with this key (as listed).")
    String key;

    @Option(names = "--all", description = "With resubmit: every selected letter (required unless --key is given).")
    boolean all;

    @Option(names = "--limit", defaultValue = "100", description = "With list: show at most this many (default ${DEFAULT-VALUE}; 0 = only the count).")
    int limit;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        if (action == Action.resubmit && key == null && !all) {
            throw new ConfigException("resubmit needs --key KEY for one letter or --all for every selected one");
        }
        if (limit < 0) {
            throw new ConfigException("--limit must be 0 or more (0 prints only the count), got " + limit);
        }
        CrsConfig config = options.load(Map.of());
        Logging.toFile(config);
        try (Platform platform = Platform.start(config)) {
            platform.ensureTopics();
            List<Map.Entry<String, DeadLetter>> letters = DeadLetterStore.list(platform, (k, d) ->
                    (stage == null || stage.equals(d.getStage())) && (key == null || key.equals(k)));
            if (key != null && letters.isEmpty()) {
                // a mistyped key must not look like a successful re-submission of nothing
                throw new IllegalArgumentException("no dead letter has the key '" + key + "'"
                        + (stage == null ? "" : " in stage " + stage) + "; crs dlq list shows the keys");
            }
            return action == Action.list ? list(letters) : resubmit(platform, letters);
        }
    }

    private int list(List<Map.Entry<String, DeadLetter>> letters) {
        System.out.printf("%d dead letter(s)%s%n", letters.size(), stage == null ? "" : " from stage " + stage);
        letters.stream().limit(limit).forEach(e -> {
            DeadLetter d = e.getValue();
            System.out.printf("%s  %s  stage=%s  %s%n    %s%n", Instant.ofEpochMilli(d.getFailedAtMs()), e.getKey(),
                    d.getStage(), d.getSourceTopic(), d.getError());
        });
        return 0;
    }

    private int resubmit(Platform platform, List<Map.Entry<String, DeadLetter>> letters) {
        DeadLetterStore.Resubmitted r = DeadLetterStore.resubmit(platform,
                letters.stream().map(Map.Entry::getValue).toList());
        System.out.printf("re-submitted %d record(s) to their source topics%n", r.toTopics());
        if (r.fromFiles() > 0) {
            System.out.printf("%d letter(s) came from files or HTTP requests, not from a topic: fix the records they"
                    + " name, then run crs ingest (or POST /api/dialogues) again%n", r.fromFiles());
        }
        return 0;
    }
}
