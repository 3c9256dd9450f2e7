package org.crsaug.scorer.zeroshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.crsaug.model.llm.ChatEndpoint;
import org.crsaug.model.llm.JudgeUnavailableException;
import org.crsaug.model.llm.LlmSettings;
import org.crsaug.model.llm.LlmUsage;
import org.crsaug.model.llm.PromptTemplate;
import org.crsaug.platform.config.CrsConfig;

/**
 * The zero-shot baseline of the method's Table 3: the configured chat model (the LLM judge's endpoint,
 * model, limits and retries, {@code scorer.llm.*}) is shown the dialogue alone and asked for
 * {@code evaluator.zero.shot.titles} titles as JSON, with the versioned prompt
 * {@code evaluator.zero.shot.prompt}. Contexts are asked in parallel up to {@code scorer.llm.max.in.flight}.
 */
public final class ZeroShotRecommender implements AutoCloseable {

    private final LlmSettings settings;
    private final PromptTemplate prompt;
    private final int titles;
    private final LlmUsage usage;
    private final ChatEndpoint endpoint;
    private final ExecutorService pool;

    public ZeroShotRecommender(LlmSettings settings, String apiKey, PromptTemplate prompt, int titles) {
        this.settings = settings;
        this.prompt = prompt;
        this.titles = titles;
        this.usage = new LlmUsage(LlmUsage.ZERO_SHOT, settings.model(), settings.inputPricePerMTok(),
                settings.outputPricePerMTok());
        this.endpoint = new ChatEndpoint(settings, apiKey, settings.limiter(), usage);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(settings.maxInFlight(), r -> {
            Thread t = new Thread(r, "zero-shot-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The key is read from the variable {@code scorer.llm.api.key.env} names, as the judge reads it. */
    public static ZeroShotRecommender fromConfig(CrsConfig config, Map<String, String> environment) {
        return new ZeroShotRecommender(LlmSettings.from(config),
                LlmSettings.apiKey(config, environment, "crs evaluate --zero-shot"),
                PromptTemplate.loadWithoutCandidates("evaluator.zero.shot.prompt",
                        config.get("evaluator.zero.shot.prompt")),
                config.getInt("evaluator.zero.shot.titles"));
    }

    /** What {@link #fromConfig} would refuse, building no client: commands check it before any work. */
    public static void checkSettings(CrsConfig config, Map<String, String> environment) {
        LlmSettings.from(config);
        LlmSettings.apiKey(config, environment, "crs evaluate --zero-shot");
        PromptTemplate.loadWithoutCandidates("evaluator.zero.shot.prompt", config.get("evaluator.zero.shot.prompt"));
        config.getInt("evaluator.zero.shot.titles");
    }

    public String model() {
        return settings.model();
    }

    public String promptVersion() {
        return prompt.version();
    }

    public int titlesAsked() {
        return titles;
    }

    public LlmUsage usage() {
        return usage;
    }

    /**
     * One reply per dialogue text, in order. A reply that cannot be read is a status in the result; an
     * endpoint that cannot be reached after every retry ends the whole evaluation (its numbers would be wrong).
     *
     * @throws JudgeUnavailableException when the endpoint cannot be reached or refuses the request
     */
    public List<TitleListReply.Parsed> ask(List<String> dialogues) throws InterruptedException {
        List<Future<TitleListReply.Parsed>> calls = new ArrayList<>();
        for (String dialogue : dialogues) {
            calls.add(pool.submit(() -> {
                List<ChatEndpoint.Message> messages = List.of(new ChatEndpoint.Message("system", prompt.system()),
                        new ChatEndpoint.Message("user", prompt.user(dialogue, titles)));
                long deadline = System.nanoTime() + settings.contextDeadline().toNanos();
                return TitleListReply.parse(endpoint.complete(messages, deadline).text());
            }));
        }
        List<TitleListReply.Parsed> out = new ArrayList<>();
        try {
            for (Future<TitleListReply.Parsed> call : calls) {
                out.add(call.get());
            }
        } catch (ExecutionException e) {
            calls.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new JudgeUnavailableException("Zero-shot request failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            calls.forEach(f -> f.cancel(true));
            throw e;
        }
        return out;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        endpoint.close();
    }
}
