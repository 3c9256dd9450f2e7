package org.crsaug.scorer;

import org.crsaug.model.llm.EndpointUnreachableException;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.streams.StreamsService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The judging stage. Replicas share the work through the consumer group of its stream, so scaling
 * the costly judge is a matter of starting more processes.
 *
 * <p>When the judge's endpoint stays unreachable past a context's retries, the stream thread gives
 * up that context without committing it; the service then pauses processing (the consumers keep
 * polling, so the group stays stable and nobody overruns {@code max.poll.interval.ms}), replaces
 * the thread, and resumes after the wait the judge asked for. The same context is judged again
 * then; judgements paid before the failure come from the cache through the {@link JudgementJournal}.
 */
public final class ScorerService extends StreamsService {

    public static final String APPLICATION_ID = "crs-scorer";
    private static final Logger LOG = LoggerFactory.getLogger(ScorerService.class);

    private final RelevanceJudge judge;
    private final JudgementJournal journal;
    /** scorer.llm.mode=batch|auto: judges the backlog through the Batch API before the stream starts. */
    private final java.util.Optional<org.crsaug.scorer.llm.BatchJudging> batch;
    private volatile Thread batchThread;
    private volatile Throwable batchFailure;
    private final AtomicInteger outagePauses = new AtomicInteger();
    /** While paused for an outage: why, and when processing resumes. */
    private volatile Pause pause;

    private record Pause(String why, long resumeAtMs) {
    }
    private final ScheduledExecutorService resumer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "scorer-resume");
        t.setDaemon(true);
        return t;
    });

    private ScorerService(Platform platform, RelevanceJudge judge, JudgementJournal journal) {
        super("scorer", platform, APPLICATION_ID,
                ScorerTopology.build(platform, judge, (float) platform.config().getDouble("scorer.threshold"),
                        journal));
        this.judge = judge;
        this.journal = journal;
        this.batch = org.crsaug.scorer.llm.BatchJudging.forMode(platform, judge, journal,
                platform.namespaced(APPLICATION_ID));
    }

    /** Refuses what {@link #create} would refuse for these settings (the judge's above all), building nothing. */
    public static void checkSettings(org.crsaug.platform.config.CrsConfig config, java.util.Map<String, String> env) {
        config.getDouble("scorer.threshold");
        Judges.checkSettings(config, env);
        org.crsaug.scorer.llm.BatchJudging.checkSettings(config);
    }

    public static ScorerService create(Platform platform) {
        return create(platform, Judges.create(platform));
    }

    /** A scorer around a judge built by the caller; the service closes it on stop. */
    public static ScorerService create(Platform platform, RelevanceJudge judge) {
        return new ScorerService(platform, judge, new KafkaJudgementJournal(platform));
    }

    /** How often an unreachable endpoint paused processing since start. */
    public int outagePauses() {
        return outagePauses.get();
    }

    /**
     * In batch mode the stream starts only once the backlog's batches are journalled, so it finds every
     * judgement they paid for in the cache; until then the service is not ready and says what it waits for.
     */
    @Override
    public synchronized void start() {
        if (batch.isEmpty()) {
            super.start();
            return;
        }
        if (batchThread != null) {
            return;
        }
        batchThread = new Thread(() -> {
            try {
                batch.get().run();
                synchronized (this) {
                    if (batchThread != null) {
                        super.start();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.error("Batch judging failed", e);
                batchFailure = e;
            }
        }, "scorer-batch");
        batchThread.setDaemon(true);
        batchThread.start();
    }

    /** Batches this process submitted (0 in online mode); resumed ones are not counted. */
    public int batchesSubmitted() {
        return batch.map(org.crsaug.scorer.llm.BatchJudging::submitted).orElse(0);
    }

    @Override
    public Throwable failure() {
        Throwable f = batchFailure;
        return f != null ? f : super.failure();
    }

    @Override
    protected StreamThreadExceptionResponse onStreamThreadFailure(Throwable e) {
        EndpointUnreachableException outage = find(e);
        if (outage == null) {
            return super.onStreamThreadFailure(e);
        }
        Duration wait = outage.retryIn();
        outagePauses.incrementAndGet();
        LOG.warn("Judge endpoint unreachable ({}); pausing the scorer for {} ms, then judging the uncommitted"
                + " contexts again", outage.getMessage(), wait.toMillis());
        pause = new Pause(outage.getMessage(), System.currentTimeMillis() + wait.toMillis());
        pauseProcessing();
        try {
            resumer.schedule(() -> {
                pause = null;
                resumeProcessing();
            }, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    @Override
    public java.util.Optional<String> condition() {
        Pause p = pause;
        if (p != null) {
            long inMs = Math.max(0, p.resumeAtMs() - System.currentTimeMillis());
            return java.util.Optional.of("paused: the judge's endpoint is unreachable (" + p.why() + "); judging again in "
                    + (inMs + 999) / 1000 + " s");
        }
        if (batch.isPresent() && !batch.get().condition().isEmpty()) {
            return java.util.Optional.of(batch.get().condition());
        }
        return judge.condition();
    }

    private static EndpointUnreachableException find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EndpointUnreachableException u) {
                return u;
            }
        }
        return null;
    }

    @Override
    public void stop() {
        Thread t;
        synchronized (this) {
            t = batchThread;
            batchThread = null;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            stopNow();
        }
    }

    private void stopNow() {
        resumer.shutdownNow();
        super.stop();
        batch.ifPresent(org.crsaug.scorer.llm.BatchJudging::close);
        judge.close();
        journal.close();
    }
}
