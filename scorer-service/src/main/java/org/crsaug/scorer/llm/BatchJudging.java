package org.crsaug.scorer.llm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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
 * scores those contexts through its normal exactly-once path from cache hits. Each job is on the
 * ledger before its batch is created (as intended, its file uploaded) and again once created: a scorer
 * restarted at any point polls the open batches again, adopts a batch it created but did not record (found
 * by the job's id in the batch's metadata), and leaves their pairs out of new ones; a replica submits no
 * pair that a job recorded before its own holds. Lines that failed, expired or came back without a usable score for
 * some pair write nothing for those pairs; the stream judges them online (and dead-letters a context
 * the LLM cannot answer, with the reason), and the ledger keeps what went wrong in the batch's note.
 */
public final class BatchJudging implements AutoCloseable {

    public static final String ONLINE = "online";
    public static final String BATCH = "batch";
    public static final String AUTO = "auto";
    private static final Logger LOG = LoggerFactory.getLogger(BatchJudging.class);

    /** The {@code scorer.llm.batch.*} settings. */
    record Options(String mode, int maxRequests, int minRequests, Duration poll, double priceFactor,
            Duration claimTimeout, long maxRecordBytes) {
        static Options fromConfig(CrsConfig c) {
            return new Options(c.get("scorer.llm.mode"), c.getInt("scorer.llm.batch.max.requests"),
                    c.getInt("scorer.llm.batch.min.requests"), Duration.ofMillis(c.getLong("scorer.llm.batch.poll.ms")),
                    c.getDouble("scorer.llm.batch.price.factor"),
                    Duration.ofMillis(c.getLong("scorer.llm.batch.claim.timeout.ms")),
                    c.getLong("topic.max.message.bytes") / 2);
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
    /** This process on the ledger: a claim or state it wrote names it. */
    private final String owner = UUID.randomUUID().toString();

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

    /** Batches this process created (resumed and adopted ones not counted). */
    public int submitted() {
        return submitted;
    }

    /**
     * Submits the backlog's pairs that no job on the ledger holds, then waits until every open job on the
     * ledger (this process's, another replica's, or one left by a scorer that stopped) is journalled.
     * Returns when nothing is left open; interrupting it stops the wait, and a later run resumes where it
     * left off.
     */
    public void run() throws InterruptedException {
        Map<String, Item> items = backlog.items();
        Set<String> cached = backlog.cachedKeys();
        submitBacklog(items, cached);
        awaitOpenJobs(items);
        condition = "";
    }

    /**
     * Plans the uncached pairs no job holds and submits them; plans again whenever another replica's job,
     * written to the ledger before ours, turns out to hold some of the same pairs.
     */
    private void submitBacklog(Map<String, Item> items, Set<String> cached) throws InterruptedException {
        while (true) {
            Map<String, BatchLedger.Entry> jobs = ledger.refresh();
            Set<String> taken = new HashSet<>(cached);
            jobs.values().forEach(e -> taken.addAll(keys(e.batch())));
            List<BatchBacklog.Planned> planned = backlog.plan(judge, items, taken, groupId);
            long open = jobs.values().stream().filter(e -> BatchLedger.open(e.batch())).count();
            if (open > 0) {
                LOG.info("{} open judge batch job(s) on the ledger hold pairs of the backlog; they are polled, not"
                        + " submitted again", open);
            }
            if (AUTO.equals(options.mode()) && planned.size() < options.minRequests()) {
                LOG.info("Backlog of {} request(s) is below scorer.llm.batch.min.requests={}; judging it online",
                        planned.size(), options.minRequests());
                return;
            }
            boolean all = true;
            for (List<BatchBacklog.Planned> part : parts(planned)) {
                all = submit(part);
                if (!all) {
                    break;
                }
            }
            if (all) {
                return;
            }
        }
    }

    /**
     * Uploads the lines, records the job as intended, and creates its batch unless a job written to the
     * ledger before this one holds some of its pairs (then it is withdrawn, uncreated, and false returned; also
     * false, after a wait, when the upload failed with an error worth retrying).
     * The batch carries the job's intent id in its metadata, so if this process dies between the create and
     * the record of the batch id, whoever takes the job over finds the batch instead of creating another.
     */
    private boolean submit(List<BatchBacklog.Planned> lines) throws InterruptedException {
        List<BatchEndpoint.Line> requests = new ArrayList<>();
        List<JudgeBatchRequest> entries = new ArrayList<>();
        Set<String> mine = new HashSet<>();
        for (BatchBacklog.Planned p : lines) {
            requests.add(new BatchEndpoint.Line(p.entry().getCustomId(),
                    judge.request(p.contextText(), p.pending()).messages()));
            entries.add(p.entry());
            mine.addAll(p.entry().getCacheKeys());
        }
        // an upload that is never used costs nothing: the file only sits in the account's storage
        String fileId;
        try {
            fileId = endpoint.upload(requests);
        } catch (RuntimeException e) {
            if (!BatchEndpoint.transientFailure(e)) {
                throw e;
            }
            // nothing is recorded yet: wait, then plan again from the ledger
            LOG.warn("Uploading a batch file failed ({}); planning again in {} ms", e.toString(),
                    options.poll().toMillis());
            Thread.sleep(options.poll().toMillis());
            return false;
        }
        long now = System.currentTimeMillis();
        JudgeBatch intent = JudgeBatch.newBuilder().setBatchId("").setInputFileId(fileId)
                .setModel(judge.settings().model()).setPromptVersion(judge.prompt().version())
                .setState(BatchLedger.INTENDED).setRequests(entries).setCreatedAtMs(now)
                .setIntentId(UUID.randomUUID().toString()).setOwner(owner).setUpdatedAtMs(now).build();
        long at = ledger.write(intent);
        ledger.refresh();
        for (BatchLedger.Entry earlier : ledger.asOf(at).values()) {
            if (keys(earlier.batch()).stream().anyMatch(mine::contains)) {
                ledger.write(JudgeBatch.newBuilder(intent).setState(BatchLedger.WITHDRAWN)
                        .setNote("pairs held by job " + earlier.key() + ", recorded first")
                        .setUpdatedAtMs(System.currentTimeMillis()).build());
                LOG.info("Judge batch job {} withdrawn before creation: job {} (recorded first) holds some of its"
                        + " pairs; planning again", intent.getIntentId(), earlier.key());
                return false;
            }
        }
        String batchId;
        try {
            batchId = endpoint.create(fileId, intent.getIntentId());
        } catch (RuntimeException e) {
            if (!BatchEndpoint.transientFailure(e)) {
                throw e;
            }
            // the create may or may not have reached the API: the job stays intended, and the wait below finds
            // its batch by the job's id or creates it, as for a job whose scorer stopped
            LOG.warn("Creating the batch of job {} failed ({}); it is looked for and created again while waiting",
                    intent.getIntentId(), e.toString());
            return true;
        }
        ledger.write(JudgeBatch.newBuilder(intent).setBatchId(batchId).setState(BatchLedger.SUBMITTED)
                .setUpdatedAtMs(System.currentTimeMillis()).build());
        submitted++;
        LOG.info("Submitted judge batch {} (job {}, {} requests, file {})", batchId, intent.getIntentId(),
                entries.size(), fileId);
        return true;
    }

    /** Polls every open job on the ledger until none is left, taking over intended jobs whose writer stopped. */
    private void awaitOpenJobs(Map<String, Item> items) throws InterruptedException {
        boolean logged = false;
        while (true) {
            Map<String, BatchLedger.Entry> jobs = ledger.refresh();
            Map<String, BatchLedger.Entry> claims = ledger.claimsAsOf(Long.MAX_VALUE);
            List<BatchLedger.Entry> open = jobs.values().stream().filter(e -> BatchLedger.open(e.batch())).toList();
            if (open.isEmpty()) {
                return;
            }
            if (!logged) {
                LOG.info("Waiting for {} open judge batch job(s): {}", open.size(),
                        open.stream().map(e -> e.key() + (e.batch().getBatchId().isEmpty() ? ""
                                : " (" + e.batch().getBatchId() + ")")).toList());
                logged = true;
            }
            List<String> states = new ArrayList<>();
            for (BatchLedger.Entry job : open) {
                JudgeBatch b = job.batch();
                try {
                    if (BatchLedger.INTENDED.equals(b.getState())) {
                        BatchLedger.Entry claim = claims.get(job.key());
                        long moved = Math.max(b.getUpdatedAtMs(), claim == null ? 0 : claim.batch().getUpdatedAtMs());
                        String holder = claim != null && claim.offset() > job.offset() ? claim.batch().getOwner()
                                : b.getOwner();
                        // this process's own job (its create failed) at once, anyone's once its writer went quiet
                        if (owner.equals(holder) || System.currentTimeMillis() - moved >= options.claimTimeout().toMillis()) {
                            takeOver(job, claim);
                        } else {
                            states.add(job.key() + " being created by another scorer");
                        }
                        continue;
                    }
                    BatchEndpoint.State state = endpoint.poll(b.getBatchId());
                    if (state.terminal()) {
                        finish(job, state, items);
                    } else {
                        states.add(b.getBatchId() + " " + state.status() + " " + (state.completed() + state.failed())
                                + "/" + state.total());
                    }
                } catch (RuntimeException e) {
                    if (!BatchEndpoint.transientFailure(e)) {
                        throw e;
                    }
                    LOG.warn("Judge batch job {}: the Batch API failed ({}); trying again in {} ms", job.key(),
                            e.toString(), options.poll().toMillis());
                    states.add(job.key() + " waiting for the Batch API (" + e.getMessage() + ")");
                }
            }
            if (!states.isEmpty()) {
                condition = "waiting for judge batches: " + String.join(", ", states);
                Thread.sleep(options.poll().toMillis());
            }
        }
    }

    /**
     * An intended job whose create failed in this process, or that nobody moved on for
     * {@code scorer.llm.batch.claim.timeout.ms} (its writer stopped somewhere between recording it and
     * recording its batch id). The first claim on the ledger wins; the winner adopts the batch the job's
     * metadata names if the API has one, and creates it otherwise.
     */
    private void takeOver(BatchLedger.Entry job, BatchLedger.Entry claimSeen) {
        JudgeBatch b = job.batch();
        long at = ledger.writeClaim(job.key(), JudgeBatch.newBuilder(b).setState(BatchLedger.CLAIM)
                .setRequests(List.of()).setOwner(owner).setUpdatedAtMs(System.currentTimeMillis()).build());
        ledger.refresh();
        BatchLedger.Entry jobThen = ledger.asOf(at).get(job.key());
        BatchLedger.Entry claimThen = ledger.claimsAsOf(at).get(job.key());
        if (jobThen == null || jobThen.offset() != job.offset()
                || (claimThen == null ? claimSeen != null : claimSeen == null || claimThen.offset() != claimSeen.offset())) {
            LOG.info("Judge batch job {} moved on or was claimed first by another scorer; leaving it", job.key());
            return;
        }
        // batches are listed down to some minutes before the job was recorded (clocks of two machines differ)
        Optional<String> found = endpoint.find(b.getIntentId(), b.getCreatedAtMs() / 1000 - 300);
        String batchId;
        if (found.isPresent()) {
            batchId = found.get();
            LOG.info("Adopted batch {}: created for job {}, its id never recorded (the creating call failed or its"
                    + " scorer stopped)", batchId, job.key());
        } else {
            batchId = endpoint.create(b.getInputFileId(), b.getIntentId());
            submitted++;
            LOG.info("Created batch {} for job {}, whose create had not reached the API", batchId, job.key());
        }
        ledger.write(JudgeBatch.newBuilder(b).setBatchId(batchId).setState(BatchLedger.SUBMITTED).setOwner(owner)
                .setUpdatedAtMs(System.currentTimeMillis()).build());
    }

    /**
     * The planned lines cut into batches of at most {@code scorer.llm.batch.max.requests} lines whose ledger
     * record stays within half of {@code topic.max.message.bytes}: a job that cannot be recorded is never created.
     */
    private List<List<BatchBacklog.Planned>> parts(List<BatchBacklog.Planned> planned) {
        List<List<BatchBacklog.Planned>> out = new ArrayList<>();
        List<BatchBacklog.Planned> current = new ArrayList<>();
        long bytes = 0;
        for (BatchBacklog.Planned p : planned) {
            long size = recordBytes(p.entry());
            if (!current.isEmpty() && (current.size() >= options.maxRequests() || bytes + size > options.maxRecordBytes())) {
                out.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(p);
            bytes += size;
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    /** An upper bound of the line's share of the ledger record: its strings plus Avro's length prefixes. */
    private static long recordBytes(JudgeBatchRequest r) {
        long n = r.getCustomId().length() + r.getContextId().length() + 16;
        for (String s : r.getItemIds()) {
            n += s.length() + 5;
        }
        for (String s : r.getCacheKeys()) {
            n += s.length() + 5;
        }
        return n * 4; // UTF-8: at most four bytes a char
    }

    /** Every cache key a job holds; none for a withdrawn one. */
    private static List<String> keys(JudgeBatch b) {
        if (BatchLedger.WITHDRAWN.equals(b.getState())) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        b.getRequests().forEach(r -> out.addAll(r.getCacheKeys()));
        return out;
    }

    /** Journals what the batch answered, matched by custom_id, then marks it done with what it left out. */
    private void finish(BatchLedger.Entry job, BatchEndpoint.State state, Map<String, Item> items) {
        BatchLedger.Entry latest = ledger.refresh().get(job.key());
        if (latest == null || !BatchLedger.SUBMITTED.equals(latest.batch().getState())) {
            // another replica polled it to its end first and journalled it
            return;
        }
        JudgeBatch batch = latest.batch();
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
        ledger.write(JudgeBatch.newBuilder(batch).setState(BatchLedger.DONE).setNote(note).setOwner(owner)
                .setUpdatedAtMs(System.currentTimeMillis()).build());
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
