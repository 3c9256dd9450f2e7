package org.crsaug.scorer.llm;

import org.crsaug.model.llm.ChatEndpoint;
import org.crsaug.model.llm.LlmSettings;
import org.crsaug.model.llm.LlmUsage;
import org.crsaug.model.llm.PromptTemplate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.data.item.ItemText;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.Item;
import org.crsaug.schema.Judgement;
import org.crsaug.schema.ScoredPair;
import org.crsaug.scorer.JudgeInputs;
import org.crsaug.model.llm.EndpointUnreachableException;
import org.crsaug.model.llm.JudgeUnavailableException;
import org.crsaug.scorer.RelevanceJudge;
import org.crsaug.scorer.UnusableReplyException;
import org.crsaug.scorer.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The teacher: an LLM behind any OpenAI-compatible endpoint rates candidates with the rubric prompt.
 * Cached judgements are reused; the rest are sent in batches, several batches of a context at once
 * on a bounded pool (the in-flight limit), each call paced by the shared limiter. A reply without
 * a usable score for every candidate of its batch gets one repair request; if that fails too, the
 * context is rejected with both raw replies in the reason. With {@code scorer.llm.response.format=json_schema}
 * the request carries a JSON schema of the scores ({@link ScoreSchema}) and a conforming reply is read
 * strictly; any other reply (an endpoint that ignores the schema) goes to the tolerant parser as before.
 * Each judgement records which of the two read it.
 */
public final class LlmJudge implements RelevanceJudge {

    public static final String ID = "llm";
    private static final Logger LOG = LoggerFactory.getLogger(LlmJudge.class);
    private static final int MAX_RAW_REPLY_CHARS = 6000;

    private final LlmSettings settings;
    private final PromptTemplate prompt;
    private final ChatEndpoint endpoint;
    private final LlmUsage usage;
    private final ExecutorService pool;
    /** Kept for the Batch API client of scorer.llm.mode=batch; in memory only, never logged. */
    private final String apiKey;
    private final ReplyFormat format;

    /** How replies are asked for and read ({@code scorer.llm.response.format}); the name is what judgements record. */
    public enum ReplyFormat {
        TEXT("text"), JSON_SCHEMA("json_schema");

        private final String setting;

        ReplyFormat(String setting) {
            this.setting = setting;
        }

        public String setting() {
            return setting;
        }

        public static ReplyFormat of(String setting) {
            for (ReplyFormat f : values()) {
                if (f.setting.equals(setting)) {
                    return f;
                }
            }
            throw new org.crsaug.platform.config.ConfigException("scorer.llm.response.format must be text or "
                    + "json_schema, not '" + setting + "'");
        }
    }

    public LlmJudge(LlmSettings settings, String apiKey, ReplyFormat format) {
        this.settings = settings;
        this.apiKey = apiKey;
        this.format = format;
        this.prompt = PromptTemplate.load(settings.promptName());
        this.usage = new LlmUsage(LlmUsage.JUDGE, settings.model(), settings.inputPricePerMTok(), settings.outputPricePerMTok());
        this.endpoint = new ChatEndpoint(settings, apiKey, settings.limiter(), usage);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(settings.maxInFlight(), r -> {
            Thread t = new Thread(r, "llm-judge-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Reads the key from the environment variable that {@code scorer.llm.api.key.env} names. The key
     * stays in memory only; configuration and logs only ever name the variable.
     */
    public static LlmJudge fromConfig(CrsConfig config, Map<String, String> environment) {
        return new LlmJudge(LlmSettings.from(config), LlmSettings.apiKey(config, environment, "scorer.judge=llm"),
                ReplyFormat.of(config.get("scorer.llm.response.format")));
    }

    /**
     * What {@link #fromConfig} would refuse (settings, the key's variable, the prompt), without a client or a
     * thread: commands check it before any work starts.
     */
    public static void checkSettings(CrsConfig config, Map<String, String> environment, String usedBy) {
        LlmSettings settings = LlmSettings.from(config);
        LlmSettings.apiKey(config, environment, usedBy);
        ReplyFormat.of(config.get("scorer.llm.response.format"));
        PromptTemplate.load("scorer.llm.prompt", settings.promptName());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String version() {
        return settings.model();
    }

    @Override
    public String promptVersion() {
        return prompt.version();
    }

    public LlmUsage usage() {
        return usage;
    }

    /** A paid judgement of one pair, as the cache keeps it. */
    Judgement judgement(String contextId, Pending p, float score, ReplyFormat readAs) {
        return Judgement.newBuilder().setCacheKey(p.cacheKey).setModel(settings.model())
                .setPromptVersion(prompt.version()).setContextId(contextId).setItemId(p.itemId).setScore(score)
                .setJudgedAtMs(System.currentTimeMillis()).setJudgeId(ID).setJudgeVersion(settings.model())
                .setReplyFormat(readAs.setting()).build();
    }

    /** A Batch API client on this judge's endpoint and key, charging tokens at the batch price. */
    org.crsaug.model.llm.BatchEndpoint batchEndpoint(double priceFactor) {
        return new org.crsaug.model.llm.BatchEndpoint(settings, apiKey, new LlmUsage(LlmUsage.JUDGE, settings.model(),
                settings.inputPricePerMTok() * priceFactor, settings.outputPricePerMTok() * priceFactor,
                LlmUsage.BATCH));
    }

    LlmSettings settings() {
        return settings;
    }

    PromptTemplate prompt() {
        return prompt;
    }

    @Override
    public java.util.Optional<String> condition() {
        return endpoint.retrying().map(r -> {
            long inMs = r.nextTryAtMs() - System.currentTimeMillis();
            return "LLM call failed (" + r.why() + "), attempt " + r.attempt() + " of " + r.maxAttempts()
                    + (inMs > 0 ? ", next try in " + (inMs + 999) / 1000 + " s" : ", trying again");
        });
    }

    @Override
    public Verdict judge(Candidates candidates, JudgeInputs inputs) {
        long deadline = System.nanoTime() + settings.contextDeadline().toNanos();
        String contextText = candidates.getContextText();
        Map<String, ScoredPair> scored = new HashMap<>();
        List<Pending> pending = new ArrayList<>();
        for (Candidate c : candidates.getItems()) {
            Item item = inputs.item(c.getItemId()).orElseThrow(() -> new UnusableReplyException("Candidate "
                    + c.getItemId() + " of " + candidates.getContextId() + " is not on the items topic, so it"
                    + " has no description to judge"));
            String key = cacheKey(settings.model(), prompt.version(), contextText, ItemText.describe(item));
            Judgement hit = inputs.cached(key).orElse(null);
            if (hit != null) {
                usage.recordCacheHit();
                scored.put(c.getItemId(), pair(candidates, c.getItemId(), hit.getScore(), true));
            } else {
                pending.add(new Pending(c.getItemId(), item, key));
            }
        }
        List<Future<List<Judgement>>> calls = new ArrayList<>();
        for (int i = 0; i < pending.size(); i += settings.batchSize()) {
            List<Pending> batch = pending.subList(i, Math.min(pending.size(), i + settings.batchSize()));
            calls.add(pool.submit(() -> {
                Scores scores = judgeBatch(candidates.getContextId(), contextText, batch, deadline);
                List<Judgement> paid = new ArrayList<>();
                for (Pending p : batch) {
                    paid.add(judgement(candidates.getContextId(), p, scores.byItem().get(p.itemId), scores.readAs()));
                }
                // cached now, whatever happens to the other batches or to this context's transaction
                inputs.remember(paid);
                return paid;
            }));
        }
        List<Judgement> fresh = new ArrayList<>();
        try {
            for (Future<List<Judgement>> call : calls) {
                long left = deadline - System.nanoTime();
                for (Judgement j : call.get(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                    scored.put(j.getItemId(), pair(candidates, j.getItemId(), j.getScore(), false));
                    fresh.add(j);
                }
            }
        } catch (ExecutionException e) {
            calls.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new EndpointUnreachableException("LLM batch failed: " + e.getCause(), e.getCause(),
                    settings.backoffMax());
        } catch (TimeoutException e) {
            calls.forEach(f -> f.cancel(true));
            // the calls were still retrying: say what their last attempt met, not only that time ran out
            String lastFailure = endpoint.lastFailure().map(why -> "; the last call failed: " + why).orElse("");
            throw new EndpointUnreachableException("Judging " + candidates.getContextId() + " took longer than"
                    + " scorer.llm.context.deadline.ms=" + settings.contextDeadline().toMillis() + lastFailure, e,
                    settings.backoffMax());
        } catch (InterruptedException e) {
            calls.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new JudgeUnavailableException("Interrupted while judging " + candidates.getContextId(), e);
        }
        usage.recordJudgedPairs(fresh.size());
        List<ScoredPair> ordered = new ArrayList<>();
        for (Candidate c : candidates.getItems()) {
            ordered.add(scored.get(c.getItemId()));
        }
        return new Verdict(ordered, fresh);
    }

    /** The conversation that asks for one chunk of a context's candidates, and the names it shows them by. */
    record Request(CandidateNames names, Map<String, String> shownById, List<ChatEndpoint.Message> messages) {
    }

    /** A batch's scores and the path that read them: the strict schema reading, or the tolerant text parser. */
    private record Scores(Map<String, Float> byItem, ReplyFormat readAs) {
    }

    /** The one place a judging request is written, for chat calls and Batch API lines alike. */
    Request request(String contextText, List<Pending> batch) {
        CandidateNames names = new CandidateNames();
        List<String> lines = new ArrayList<>();
        Map<String, String> shownById = new HashMap<>();
        for (Pending p : batch) {
            String shown = names.add(p.itemId, p.item);
            shownById.put(p.itemId, shown);
            String description = ItemText.describe(p.item);
            // the description starts with the title; show the name the reply must use, then the rest
            String rest = description.startsWith(p.item.getTitle().strip())
                    ? description.substring(p.item.getTitle().strip().length()) : ". " + description;
            lines.add(shown + rest);
        }
        return new Request(names, shownById, List.of(new ChatEndpoint.Message("system", prompt.system()),
                new ChatEndpoint.Message("user", prompt.user(contextText, lines))));
    }

    private Scores judgeBatch(String contextId, String contextText, List<Pending> batch, long deadline)
            throws InterruptedException {
        Request request = request(contextText, batch);
        CandidateNames names = request.names();
        Map<String, String> shownById = request.shownById();
        List<ChatEndpoint.Message> messages = new ArrayList<>(request.messages());
        ChatEndpoint.Reply first = endpoint.complete(messages, deadline, format == ReplyFormat.JSON_SCHEMA
                ? ScoreSchema.forNames(new ArrayList<>(names.shownToItem().keySet())) : null);
        if (format == ReplyFormat.JSON_SCHEMA) {
            java.util.Optional<Map<String, Float>> strict = ScoreSchema.parseStrict(first.text(), names);
            if (strict.isPresent()) {
                return new Scores(strict.get(), ReplyFormat.JSON_SCHEMA);
            }
            // the judgement records replyFormat=text, which is how a run shows an endpoint ignoring the schema
            LOG.debug("Reply for {} did not follow the JSON schema; reading it as text", contextId);
        }
        ReplyParser.Parsed parsed = ReplyParser.parse(first.text(), names);
        Map<String, Float> scores = new HashMap<>(parsed.scores());
        List<String> missing = missing(batch, scores, shownById);
        if (missing.isEmpty()) {
            logIgnored(contextId, parsed);
            return new Scores(scores, ReplyFormat.TEXT);
        }
        usage.recordRepair();
        String problem = !parsed.hadJson() ? "it did not end with a JSON object of scores"
                : "it gave no usable score for " + missing.size() + " of the candidates";
        messages.add(new ChatEndpoint.Message("assistant", first.text()));
        messages.add(new ChatEndpoint.Message("user", prompt.repair(problem, missing)));
        ChatEndpoint.Reply second = endpoint.complete(messages, deadline);
        ReplyParser.Parsed repaired = ReplyParser.parse(second.text(), names);
        scores.putAll(repaired.scores());
        missing = missing(batch, scores, shownById);
        if (!missing.isEmpty()) {
            throw new UnusableReplyException("LLM reply for " + contextId + " unusable after one repair: " + problem
                    + "; still missing " + missing + ". Raw reply: " + clip(first.text()) + " || Raw repair reply: "
                    + clip(second.text()));
        }
        logIgnored(contextId, repaired);
        return new Scores(scores, ReplyFormat.TEXT);
    }

    static List<String> missing(List<Pending> batch, Map<String, Float> scores, Map<String, String> shown) {
        List<String> out = new ArrayList<>();
        for (Pending p : batch) {
            if (!scores.containsKey(p.itemId)) {
                out.add(shown.get(p.itemId));
            }
        }
        return out;
    }

    private static void logIgnored(String contextId, ReplyParser.Parsed parsed) {
        if (!parsed.ignoredNames().isEmpty()) {
            LOG.debug("Reply for {} named {} non-candidates, ignored: {}", contextId, parsed.ignoredNames().size(),
                    parsed.ignoredNames());
        }
    }

    private static String clip(String s) {
        return s.length() <= MAX_RAW_REPLY_CHARS ? s : s.substring(0, MAX_RAW_REPLY_CHARS) + "...[clipped]";
    }

    private ScoredPair pair(Candidates candidates, String itemId, float score, boolean fromCache) {
        return ScoredPair.newBuilder().setContextId(candidates.getContextId()).setItemId(itemId).setScore(score)
                .setJudgeId(ID).setJudgeVersion(settings.model()).setPromptVersion(prompt.version())
                .setFromCache(fromCache).build();
    }

    /** Everything that could change the answer, and nothing else (not the context id, not the time). */
    public static String cacheKey(String model, String promptVersion, String contextText, String itemText) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {model, promptVersion, contextText, itemText}) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                // length-prefixed so ("ab","c") and ("a","bc") differ
                md.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
                md.update(bytes);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        endpoint.close();
        LOG.info("LLM judge usage: {}", usage);
    }

    /** A candidate not in the cache: what to show the LLM and where its judgement goes. */
    record Pending(String itemId, Item item, String cacheKey) {
    }
}
