package org.crsaug.model.simulate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.data.dataset.TitleMentions;
import org.crsaug.data.item.ItemText;
import org.crsaug.model.llm.ChatEndpoint;
import org.crsaug.model.llm.LlmSettings;
import org.crsaug.model.llm.LlmUsage;
import org.crsaug.model.llm.PromptTemplate;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.schema.Item;
import org.crsaug.schema.SeekerUtterance;

/**
 * An OpenAI-compatible chat model plays the seeker. It is given the dialogue as quoted data and what the
 * catalogue says about the target (genres, the masked plot sentence, director, stars, decade: never the
 * title, so it can only name the film by recognising it). A reply that names the target anyway is sent
 * back once to be rewritten without it; a second such reply (or an empty one) makes the episode invalid,
 * and it is counted, not scored. Every outcome is kept in {@link SeekerCache} by model, prompt version,
 * episode, turn and the dialogue so far, so running the same simulation again makes no call.
 *
 * <p>It talks to the judge's endpoint ({@code scorer.llm.*}: base URL, model, key variable, limits).
 */
public final class LlmSeeker implements SeekerSimulator {

    public static final String NAME = "llm";
    static final String REVEALED = "free text";
    static final String NAMED_TWICE = "the seeker named the target even when asked to rewrite without it";
    static final String EMPTY = "the seeker's reply was empty";
    private static final int DIALOGUE_MAX_CHARS = 4000;

    private final ChatEndpoint endpoint;
    private final LlmSettings settings;
    private final PromptTemplate prompt;
    private final SeekerCache cache;

    LlmSeeker(ChatEndpoint endpoint, LlmSettings settings, PromptTemplate prompt, SeekerCache cache) {
        this.endpoint = endpoint;
        this.settings = settings;
        this.prompt = prompt;
        this.cache = cache;
    }

    /** Refuses missing endpoint settings, key or prompt before any work; opens nothing. */
    public static void checkSettings(CrsConfig config, Map<String, String> environment) {
        LlmSettings.apiKey(config, environment, "simulator.kind=llm");
        LlmSettings.from(config);
        PromptTemplate.load("simulator.llm.prompt", config.get("simulator.llm.prompt"));
    }

    /** The seeker the settings describe, its cache on {@code platform}; the caller closes it. */
    public static LlmSeeker open(CrsConfig config, Map<String, String> environment, Platform platform) {
        String key = LlmSettings.apiKey(config, environment, "simulator.kind=llm");
        LlmSettings settings = LlmSettings.from(config);
        PromptTemplate prompt = PromptTemplate.load("simulator.llm.prompt", config.get("simulator.llm.prompt"));
        ChatEndpoint endpoint = new ChatEndpoint(settings, key, settings.limiter(), new LlmUsage(LlmUsage.SEEKER,
                settings.model(), settings.inputPricePerMTok(), settings.outputPricePerMTok()));
        return new LlmSeeker(endpoint, settings, prompt, new SeekerCache(platform));
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The prompt's version and the model: another model is another seeker. */
    @Override
    public String version() {
        return prompt.version() + "@" + settings.model();
    }

    /** As many calls at once as the endpoint settings allow one process ({@code scorer.llm.max.in.flight}). */
    @Override
    public int parallelism() {
        return settings.maxInFlight();
    }

    @Override
    public Reply reply(Request request) {
        String dialogue = DialogueContexts.render(request.dialogue(), DIALOGUE_MAX_CHARS);
        String cacheKey = ItemText.contentHash(String.join("\u0000", settings.model(), prompt.version(),
                request.episodeId(), Integer.toString(request.turn()), dialogue));
        SeekerUtterance known = cache.get(cacheKey).orElse(null);
        if (known == null) {
            known = ask(request, dialogue, cacheKey);
            cache.put(known);
        }
        return known.getInvalidReason() != null ? new Reply(null, REVEALED, known.getInvalidReason())
                : Reply.of(known.getText(), REVEALED);
    }

    private SeekerUtterance ask(Request request, String dialogue, String cacheKey) {
        TitleMentions title = TitleMentions.ofTitle(request.target().getTitle());
        List<ChatEndpoint.Message> messages = new ArrayList<>(List.of(
                new ChatEndpoint.Message("system", prompt.system()),
                new ChatEndpoint.Message("user", prompt.user(dialogue, facts(request.target())))));
        String text = call(messages);
        boolean rewritten = false;
        if (!text.isEmpty() && title.foundIn(text)) {
            rewritten = true;
            messages.add(new ChatEndpoint.Message("assistant", text));
            messages.add(new ChatEndpoint.Message("user", "Your message named the film you are looking for, which"
                    + " the rules forbid. Write the message again without the film's title or any part of it."));
            text = call(messages);
        }
        String invalid = text.isEmpty() ? EMPTY : title.foundIn(text) ? NAMED_TWICE : null;
        return SeekerUtterance.newBuilder().setCacheKey(cacheKey).setModel(settings.model())
                .setPromptVersion(prompt.version()).setEpisodeId(request.episodeId()).setTurn(request.turn())
                .setText(invalid == null ? text : null).setRewritten(rewritten).setInvalidReason(invalid)
                .setCreatedAtMs(System.currentTimeMillis()).build();
    }

    private String call(List<ChatEndpoint.Message> messages) {
        try {
            return endpoint.complete(messages, System.nanoTime() + settings.contextDeadline().toNanos()).text().strip();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while the LLM seeker was speaking", e);
        }
    }

    /** What the catalogue says about the target, without its title: the lines the prompt lists. */
    static List<String> facts(Item item) {
        List<String> out = new ArrayList<>();
        String genres = item.getGenres().isEmpty() ? "" : AttributeSeeker.genres(item);
        if (!genres.isBlank()) {
            out.add("genres: " + genres);
        }
        String plot = AttributeSeeker.plotSentence(item);
        if (!plot.isEmpty()) {
            out.add("the story: " + plot);
        }
        if (!item.getDirectors().isEmpty()) {
            out.add("directed by " + String.join(", ", item.getDirectors()));
        }
        if (!item.getStars().isEmpty()) {
            out.add("starring " + String.join(", ", item.getStars().subList(0, Math.min(3, item.getStars().size()))));
        }
        if (item.getYear() != null && item.getYear() > 0) {
            out.add(String.format(Locale.ROOT, "released in the %ds", item.getYear() / 10 * 10));
        }
        TitleMentions title = TitleMentions.ofTitle(item.getTitle());
        return out.stream().map(title::mask).toList();
    }

    @Override
    public void close() {
        cache.close();
        endpoint.close();
    }
}
