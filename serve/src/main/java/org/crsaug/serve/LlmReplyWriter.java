package org.crsaug.serve;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.crsaug.platform.config.ConfigException;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.schema.Turn;
import org.crsaug.model.llm.ChatEndpoint;
import org.crsaug.model.llm.LlmSettings;
import org.crsaug.model.llm.LlmUsage;
import org.crsaug.model.llm.PromptTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks an LLM to present the items the recommender chose, in the conversation's own terms: the
 * recommender picks, the language model only talks (it is told not to add titles of its own). It uses
 * the judge's endpoint settings ({@code scorer.llm.*}, same key variable) through the judge's
 * {@link ChatEndpoint}. A failed call, an empty answer or one that names none of the chosen items is
 * replaced by the template reply, with the reason in the log; the recommendation itself never fails.
 */
public final class LlmReplyWriter implements ReplyWriter {

    private static final Logger LOG = LoggerFactory.getLogger(LlmReplyWriter.class);
    /** Most recent dialogue text put into the prompt; older turns matter little for the next reply. */
    private static final int DIALOGUE_MAX_CHARS = 4000;
    private static final int ITEMS_SHOWN = 5;

    private final ChatEndpoint endpoint;
    private final PromptTemplate prompt;
    private final Duration timeout;
    private final int maxChars;

    LlmReplyWriter(LlmSettings settings, String apiKey, PromptTemplate prompt, Duration timeout, int maxChars) {
        this.endpoint = new ChatEndpoint(settings, apiKey, settings.limiter(),
                new LlmUsage(LlmUsage.REPLY, settings.model(), settings.inputPricePerMTok(),
                        settings.outputPricePerMTok()));
        this.prompt = prompt;
        this.timeout = timeout;
        this.maxChars = maxChars;
    }

    /**
     * The writer {@code serve.reply} asks for: {@code template} (default) or {@code llm}.
     *
     * @throws ConfigException for another value, or for {@code llm} without an API key
     */
    public static ReplyWriter fromConfig(CrsConfig config, Map<String, String> environment) {
        return fromConfig(config, environment, true);
    }

    /** Refuses what {@link #fromConfig} would refuse, opening no client: commands check it before any work. */
    public static void checkSettings(CrsConfig config, Map<String, String> environment) {
        ServeSettings.fromConfig(config);
        fromConfig(config, environment, false);
    }

    /** @return null when {@code build} is false and the settings are fine */
    private static ReplyWriter fromConfig(CrsConfig config, Map<String, String> environment, boolean build) {
        String kind = config.get("serve.reply", ReplyWriter.TEMPLATE).strip().toLowerCase(Locale.ROOT);
        if (kind.equals(ReplyWriter.TEMPLATE)) {
            return ReplyWriter.template();
        }
        if (!kind.equals(ReplyWriter.LLM)) {
            throw new ConfigException("serve.reply must be 'template' or 'llm', got '" + kind + "'");
        }
        Duration timeout = Duration.ofMillis(config.getLong("serve.reply.timeout.ms"));
        if (timeout.isNegative() || timeout.isZero()) {
            throw new ConfigException("serve.reply.timeout.ms must be positive");
        }
        // one quick try per request: a person is waiting, and the template is a fine answer
        CrsConfig llm = config.with("scorer.llm.timeout.ms", Long.toString(timeout.toMillis()))
                .with("scorer.llm.max.attempts", "1")
                .with("scorer.llm.max.tokens", config.get("serve.reply.max.tokens"))
                .with("scorer.replicas", "1");
        String key = LlmSettings.apiKey(config, environment, "serve.reply=llm");
        LlmSettings settings = LlmSettings.from(llm);
        PromptTemplate prompt = PromptTemplate.load("serve.reply.prompt", config.get("serve.reply.prompt"));
        int maxChars = config.getInt("serve.reply.max.chars");
        return build ? new LlmReplyWriter(settings, key, prompt, timeout, maxChars) : null;
    }

    /** The prompt's name and a hash of its text, so replies can be traced to the wording that made them. */
    public String promptVersion() {
        return prompt.version();
    }

    @Override
    public Reply write(List<Turn> turns, List<RecommendationEngine.RecommendedItem> items) {
        if (items.isEmpty()) {
            return ReplyWriter.template().write(turns, items);
        }
        List<RecommendationEngine.RecommendedItem> shown = items.subList(0, Math.min(ITEMS_SHOWN, items.size()));
        List<String> lines = new ArrayList<>();
        for (RecommendationEngine.RecommendedItem item : shown) {
            lines.add(TemplateReply.name(item));
        }
        String why;
        try {
            List<ChatEndpoint.Message> messages = List.of(new ChatEndpoint.Message("system", prompt.system()),
                    new ChatEndpoint.Message("user", prompt.user(dialogueText(turns), lines)));
            String text = endpoint.complete(messages, System.nanoTime() + timeout.toNanos()).text().strip();
            if (text.isEmpty()) {
                why = "the reply was empty";
            } else if (shown.stream().noneMatch(i -> mentions(text, i.title()))) {
                why = "the reply named none of the recommended items: " + clip(text, 200);
            } else {
                return new Reply(clip(text, maxChars), ReplyWriter.LLM);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why = "interrupted";
        } catch (RuntimeException e) {
            why = e.getMessage();
        }
        LOG.warn("LLM reply not used, answering with the template reply instead: {}", why);
        return ReplyWriter.template().write(turns, items);
    }

    static String dialogueText(List<Turn> turns) {
        StringBuilder sb = new StringBuilder();
        for (Turn t : turns) {
            sb.append(t.getRole().name().equals("SEEKER") ? "Seeker: " : "Recommender: ")
                    .append(t.getText().strip()).append('\n');
        }
        String all = sb.toString().strip();
        return all.length() <= DIALOGUE_MAX_CHARS ? all : all.substring(all.length() - DIALOGUE_MAX_CHARS);
    }

    /** Whether the text names the item; a trailing "(year)" is optional, case is ignored. */
    static boolean mentions(String text, String title) {
        String bare = title.replaceAll("\\s*\\(\\d{4}\\)\\s*$", "").strip().toLowerCase(Locale.ROOT);
        return !bare.isEmpty() && text.toLowerCase(Locale.ROOT).contains(bare);
    }

    private static String clip(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int cut = text.lastIndexOf(". ", max);
        return cut > max / 2 ? text.substring(0, cut + 1) : text.substring(0, max).strip() + "...";
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
