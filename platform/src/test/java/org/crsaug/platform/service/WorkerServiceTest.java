package org.crsaug.platform.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Stopping a worker: a service with a long step that may be given up ({@code interruptOnStop}) has its thread
 * interrupted once it has not ended by itself; an idle loop that checks {@code running()} ends on its own and is
 * never interrupted, whichever kind it is.
 */
class WorkerServiceTest {

    /** A step that never looks at running(): only an interrupt ends it (as a training stage). */
    private static final class LongStep extends WorkerService {
        final CountDownLatch inStep = new CountDownLatch(1);
        final AtomicBoolean interrupted = new AtomicBoolean();
        /** Ends the step without an interrupt, so the test leaves no thread behind. */
        final AtomicBoolean release = new AtomicBoolean();
        private final boolean interruptible;

        LongStep(boolean interruptible) {
            super("long-step");
            this.interruptible = interruptible;
        }

        @Override
        protected boolean interruptOnStop() {
            return interruptible;
        }

        @Override
        protected long stopTimeoutMs() {
            return 3_000;
        }

        @Override
        protected void work() {
            markReady();
            inStep.countDown();
            while (!Thread.currentThread().isInterrupted() && !release.get()) {
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            }
            interrupted.set(Thread.currentThread().isInterrupted());
        }
    }

    /** An idle loop that checks running() between polls, as every service does between steps. */
    private static final class IdleLoop extends WorkerService {
        final AtomicBoolean interruptedAtExit = new AtomicBoolean();
        final AtomicBoolean exited = new AtomicBoolean();

        IdleLoop() {
            super("idle-loop");
        }

        @Override
        protected boolean interruptOnStop() {
            return true;
        }

        @Override
        protected void work() throws InterruptedException {
            markReady();
            while (running()) {
                Thread.sleep(20);
            }
            interruptedAtExit.set(Thread.currentThread().isInterrupted());
            exited.set(true);
        }
    }

    /** A long-step service started and in its step. */
    private static LongStep inStep(boolean interruptible) throws InterruptedException {
        LongStep s = new LongStep(interruptible);
        s.start();
        assertThat(s.inStep.await(30, TimeUnit.SECONDS)).isTrue();
        return s;
    }

    @Test
    void aLongStepIsInterruptedWhenTheServiceAllowsIt() throws Exception {
        LongStep s = inStep(true);
        s.stop();
        assertThat(s.interrupted).isTrue();
        assertThat(s.failure()).isNull();
    }

    @Test
    void aLongStepIsNotInterruptedWhenTheServiceDoesNotAllowIt() throws Exception {
        LongStep s = inStep(false);
        // stop() gives up waiting after stopTimeoutMs; the step runs on, never interrupted
        s.stop();
        assertThat(s.interrupted).isFalse();
        assertThat(s.isReady()).isFalse();
        s.release.set(true);
    }

    @Test
    void anIdleLoopEndsByItselfAndIsNeverInterrupted() throws Exception {
        IdleLoop s = new IdleLoop();
        s.start();
        s.stop();
        assertThat(s.exited).isTrue();
        assertThat(s.interruptedAtExit).isFalse();
    }
}
