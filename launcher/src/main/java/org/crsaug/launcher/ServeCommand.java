package org.crsaug.launcher;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.serve.DialogueIntakeRoutes;
import org.crsaug.serve.LlmReplyWriter;
import org.crsaug.serve.RecommendationEngine;
import org.crsaug.serve.RecommendationServer;
import org.crsaug.serve.ServeSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve recommendations over HTTP with the best published checkpoint, plus a chat page.",
        footer = {"", "Examples:",
                "  crs serve                                  chat at http://127.0.0.1:8080/ (after crs run)",
                "  crs serve --dataset redial --port 9000",
                "  open http://127.0.0.1:8080/dashboard        topics, lag, labels/min, judge latency, LLM cost, recall",
                "  curl -s localhost:8080/api/dialogues/inspired:train:3    what the pipeline made of one dialogue",
                "  curl -s localhost:8080/api/recommend -d '{\"turns\":[{\"role\":\"SEEKER\",\"text\":\"a scary movie please\"}],\"k\":5}'",
                "  OPENAI_API_KEY=... crs serve --set serve.reply=llm    replies written by the scorer.llm.* model",
                "", "A better checkpoint (higher serve.selection.metric) published later is loaded without a restart.",
                "Without serve.reply=llm the reply is a template sentence; an LLM failure falls back to it."})
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--dataset", description = "Serve checkpoints of this dataset (default: serve.dataset = inspired).")
    String dataset;

    @Option(names = "--port", description = "HTTP port (default: serve.port = 8080; 0 = any free port).")
    Integer port;

    @Option(names = "--host", description = "Interface to bind (default: serve.host = 127.0.0.1; 0.0.0.0 = all).")
    String host;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> flags = new LinkedHashMap<>();
        if (dataset != null) {
            flags.put("serve.dataset", dataset);
        }
        if (port != null) {
            flags.put("serve.port", port.toString());
        }
        if (host != null) {
            flags.put("serve.host", host);
        }
        CrsConfig config = options.load(Map.of()).withAll(flags);
        ServeSettings settings = ServeSettings.fromConfig(config);
        SettingsCheck.before(config, java.util.EnumSet.of(SettingsCheck.Part.SERVE));
        Logging.toFile(config);
        try (Platform platform = Platform.start(config)) {
            platform.ensureTopics();
            RecommendationEngine engine = new RecommendationEngine(platform, settings,
                    LlmReplyWriter.fromConfig(config, System.getenv()));
            engine.start();
            try (DialogueIntakeRoutes intake = DialogueIntakeRoutes.create(platform);
                 RecommendationServer server = RecommendationServer.start(engine, intake)) {
                engine.onReload(cp -> System.out.println("now serving " + cp.getCheckpointId() + " ("
                        + settings.selectionMetric() + " = " + cp.getMetrics().get(settings.selectionMetric()) + ")"));
                System.out.println("chat page and API at " + server.url() + " (POST /api/recommend, POST /api/dialogues),"
                        + " dashboard at " + server.url() + "dashboard; Ctrl-C stops");
                engine.awaitReady(Duration.ofMinutes(2));
                if (engine.servedCheckpoint() == null) {
                    System.out.println("no " + settings.dataset() + " checkpoint yet: run 'crs run --dataset "
                            + settings.dataset() + "' (it is loaded as soon as it is published)");
                }
                CountDownLatch stopped = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "serve-shutdown"));
                while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
                    if (engine.failure() != null) {
                        System.err.println("error: the checkpoint follower failed: " + engine.failure().getMessage());
                        return 1;
                    }
                }
            } finally {
                engine.stop();
            }
        }
        return 0;
    }
}
