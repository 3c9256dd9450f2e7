package org.crsaug.scorer.llm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.crsaug.model.llm.BatchEndpoint;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.schema.Item;
import org.crsaug.schema.JudgeBatch;
import org.crsaug.schema.JudgeBatchRequest;
import org.crsaug.schema.Judgement;
import org.crsaug.scorer.JudgementJournal;
import org.crsaug.scorer.RelevanceJudge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code scorer.llm.mode=batch|auto}: before the scorer's stream starts, the uncached pairs of its
 * backlog are judged through the Batch API and written to the judgement journal, so the stream then
 * scores those contexts through its normal exactly-once path from cache hits. Each batch is on the
 * ledger before it is polled: a scorer restarted at any point polls the open batches again and leaves
 * their pairs out of new ones. Lines that failed, expired or came back without a usable score for
 * some pair write nothing for those pairs; the stream judges them online (and dead-letters a context
 * the LLM cannot answer, with the reason), and the ledger keeps what went wrong in the batch's note.
 */
public final class BatchJudging implements AutoCloseable {

    public static final String ONLINE = "online";
    public static final String BATCH = "batch";
    public static final String AUTO = "auto";
    private static final Logger LOG = LoggerFactory.getLogger(BatchJudging.class);

    /** The {@code scorer.llm.batch.*} settings. */
    record Options(String mode, int maxRequests, int minRequests, Duration poll, double priceFactor) {
        static Options fromConfig(CrsConfig c) {
            return new Options(c.get("scorer.llm.mode"), c.getInt("scorer.llm.batch.max.requests"),
                    c.getInt("scorer.llm.batch.min.requests"), Duration.ofMillis(c.getLong("scorer.llm.batch.poll.ms")),
                    c.getDouble("scorer.llm.batch.price.factor"));
        }
    }

    private final LlmJudge judge;
    private final Options options;
    private final JudgementJournal journal;
    private final BatchBacklog backlog;
    private final BatchLedger ledger;
    private final BatchEndpoint endpoint;
    private final String groupId;
    private volatile String condition = "reading the backlog for the Batch API";
    private volatile int submitted;

    private BatchJudging(Platform platform, LlmJudge judge, Options options, JudgementJournal journal,
            String groupId) {
        this.judge = judge;
        this.options = options;
        this.journal = journal;
        this.groupId = groupId;
        this.backlog = new BatchBacklog(platform);
        this.ledger = new BatchLedger(platform);
        this.endpoint = judge.batchEndpoint(options.priceFactor());
    }

    /** Refuses bad {@code scorer.llm.mode} / {@code scorer.llm.batch.*} values, building nothing. */
    public static void checkSettings(CrsConfig config) {
        Options.fromConfig(config);
    }

    /**
     * Batch judging for this judge when {@code scorer.llm.mode} asks for it; empty in online mode or for a
     * judge other than the LLM.
     *
     * @param groupId the scorer's consumer group, whose committed offsets mark where the backlog starts
     */
    public static Optional<BatchJudging> forMode(Platform platform, RelevanceJudge judge, JudgementJournal journal,
            String groupId) {
        Options options = Options.fromConfig(platform.config());
        if (ONLINE.equals(options.mode()) || !(judge instanceof LlmJudge llm) || !journal.isEnabled()) {
            return Optional.empty();
        }
        return Optional.of(new BatchJudging(platform, llm, options, journal, groupId));
    }

    /** What a person watching should know while batches are open. */
    public String condition() {
        return condition;
    }

    /** Batches this process created (resumed ones not counted). */
    public int submitted() {
        return submitted;
    }

    /**
     * Resumes the open batches, submits the rest of the backlog, waits for all of them and journals
     * their judgements. Returns when there is nothing left open; interrupting it stops the wait, and a
     * later run resumes where it left off.
     */
    public void run() throws InterruptedException {
        Map<String, JudgeBatch> open = new HashMap<>();
        Set<String> taken = new HashSet<>();
        for (JudgeBatch b : ledger.read().values()) {
            if (BatchLedger.SUBMITTED.equals(b.getState())) {
                open.put(b.getBatchId(), b);
                b.getRequests().forEach(r -> taken.addAll(r.getCacheKeys()));
            }
        }
        Map<String, Item> items = backlog.items();
        taken.addAll(backlog.cachedKeys());
        List<BatchBacklog.Planned> planned = backlog.plan(judge, items, taken, groupId);
        if (!open.isEmpty()) {
            LOG.info("Resuming {} open judge batch(es): {}", open.size(), open.keySet());
        }
        if (AUTO.equals(options.mode()) && planned.size() < options.minRequests()) {
            LOG.info("Backlog of {} request(s) is below scorer.llm.batch.min.requests={}; judging it online",
                    planned.size(), options.minRequests());
            planned = List.of();
        }
        for (int i = 0; i < planned.size(); i += options.maxRequests()) {
            JudgeBatch b = submit(planned.subList(i, Math.min(planned.size(), i + options.maxRequests())));
            open.put(b.getBatchId(), b);
        }
        while (!open.isEmpty()) {
            List<String> states = new ArrayList<>();
            for (JudgeBatch b : List.copyOf(open.values())) {
                BatchEndpoint.State state = endpoint.poll(b.getBatchId());
                if (state.terminal()) {
                    finish(b, state, items);
                    open.remove(b.getBatchId());
                } else {
                    states.add(b.getBatchId() + " " + state.status() + " " + (state.completed() + state.failed())
                            + "/" + state.total());
                }
            }
            if (!open.isEmpty()) {
                condition = "waiting for judge batches: " + String.join(", ", states);
                Thread.sleep(options.poll().toMillis());
            }
        }
        condition = "";
    }

    private JudgeBatch submit(List<BatchBacklog.Planned> lines) {
        List<BatchEndpoint.Line> requests = new ArrayList<>();
        List<JudgeBatchRequest> entries = new ArrayList<>();
        for (BatchBacklog.Planned p : lines) {
            requests.add(new BatchEndpoint.Line(p.entry().getCustomId(),
                    judge.request(p.contextText(), p.pending()).messages()));
            entries.add(p.entry());
        }
        BatchEndpoint.Submitted s = endpoint.submit(requests);
        JudgeBatch batch = JudgeBatch.newBuilder().setBatchId(s.batchId()).setInputFileId(s.inputFileId())
                .setModel(judge.settings().model()).setPromptVersion(judge.prompt().version())
                .setState(BatchLedger.SUBMITTED).setRequests(entries).setCreatedAtMs(System.currentTimeMillis())
                .build();
        ledger.write(batch);
        submitted++;
        LOG.info("Submitted judge batch {} ({} requests, file {})", s.batchId(), entries.size(), s.inputFileId());
        return batch;
    }

    /** Journals what the batch answered, matched by custom_id, then marks it done with what it left out. */
    private void finish(JudgeBatch batch, BatchEndpoint.State state, Map<String, Item> items) {
        Map<String, BatchEndpoint.Outcome> byId = new HashMap<>();
        for (BatchEndpoint.Outcome o : endpoint.results(state)) {
            byId.put(o.customId(), o);
        }
        List<Judgement> paid = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int leftOut = 0;
        for (JudgeBatchRequest r : batch.getRequests()) {
            BatchEndpoint.Outcome o = byId.get(r.getCustomId());
            List<LlmJudge.Pending> pending = new ArrayList<>();
            for (int i = 0; i < r.getItemIds().size(); i++) {
                Item item = items.get(r.getItemIds().get(i));
                if (item != null) {
                    pending.add(new LlmJudge.Pending(r.getItemIds().get(i), item, r.getCacheKeys().get(i)));
                }
            }
            if (o == null || !o.answered()) {
                problems.add(r.getCustomId() + ": " + (o == null ? "no line (batch " + state.status() + ")"
                        : o.error()));
                leftOut += r.getItemIds().size();
                continue;
            }
            LlmJudge.Request request = judge.request("", pending);
            Map<String, Float> scores = ReplyParser.parse(o.text().get(), request.names()).scores();
            for (LlmJudge.Pending p : pending) {
                Float score = scores.get(p.itemId());
                if (score == null) {
                    leftOut++;
                } else {
                    // Batch API lines ask for text and are read by the tolerant parser
                    paid.add(judge.judgement(r.getContextId(), p, score, LlmJudge.ReplyFormat.TEXT));
                }
            }
            if (scores.size() < pending.size()) {
                problems.add(r.getCustomId() + ": reply without a usable score for "
                        + (pending.size() - scores.size()) + " pair(s)");
            }
        }
        if (!paid.isEmpty() && !journal.record(paid)) {
            throw new IllegalStateException("Could not journal the " + paid.size() + " judgements of batch "
                    + batch.getBatchId() + "; it stays open and is read again on the next start");
        }
        judge.usage().recordJudgedPairs(paid.size());
        String note = problems.isEmpty() ? "" : leftOut + " pair(s) left to online judging: "
                + String.join("; ", problems.subList(0, Math.min(problems.size(), 20)))
                + (problems.size() > 20 ? "; ..." : "");
        ledger.write(JudgeBatch.newBuilder(batch).setState(BatchLedger.DONE).setNote(note).build());
        if (leftOut > 0) {
            LOG.warn("Judge batch {} ended {}: {}", batch.getBatchId(), state.status(), note);
        }
        LOG.info("Judge batch {} {}: {} judgement(s) journalled", batch.getBatchId(), state.status(), paid.size());
    }

    @Override
    public void close() {
        ledger.close();
        endpoint.close();
    }
}
