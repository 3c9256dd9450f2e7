package org.crsaug.launcher.experiment;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.crsaug.model.simulate.SeekerSimulator;
import org.crsaug.platform.kafka.Platform;

/**
 * {@code crs experiment --simulate} while the grid trains: each seed's models are simulated on a thread of their
 * own as soon as the seed is trained, while the next seed trains. Training takes one core (PyTorch is pinned to
 * one thread for reproducibility) and the simulation's encoder the rest, so on two cores a ReDial seed's
 * simulations no longer wait for its training or hold up the next seed's. Seeds are simulated in order, one at a
 * time; each writes the partial {@code simulator.md}, and what it simulated is on the topic, so a grid stopped
 * half-way keeps it ({@link ExperimentSimulations#simulate} reads it back). {@link #all} waits for them and then
 * reads the whole grid back.
 */
public final class SeedSimulations implements AutoCloseable {

    private final Platform platform;
    private final SeekerSimulator seeker;
    private final int turns;
    private final PrintStream out;
    private final boolean reuse;
    private final Path dir;
    /** Simulation ids run by this experiment: reused by its later passes even with --resimulate. */
    private final Set<String> madeHere = ConcurrentHashMap.newKeySet();
    /** Shared by every seed's simulations, so a text one seed encoded is not encoded again for the next. */
    private final SimulatorEncoders encoders = new SimulatorEncoders();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "experiment-simulations");
        t.setDaemon(true);
        return t;
    });
    private final List<Future<?>> pending = new ArrayList<>();

    /** @param reuse whether simulations an earlier experiment left on the topic are reused (not --resimulate) */
    public SeedSimulations(Platform platform, SeekerSimulator seeker, int turns, PrintStream out, boolean reuse,
            Path dir) {
        this.platform = platform;
        this.seeker = seeker;
        this.turns = turns;
        this.out = out;
        this.reuse = reuse;
        this.dir = dir;
    }

    /** Queues the simulation of the grid so far (the seeds before are read back); fails if an earlier one failed. */
    public void afterSeed(ExperimentRunner.Outcome partial) {
        throwIfFailed(false);
        pending.add(worker.submit(() -> ExperimentSimulations.simulate(platform, partial, seeker, turns, out, reuse,
                madeHere, encoders).writeQuietly(dir)));
    }

    /** Waits for the seeds' simulations, then the whole grid under the simulator, every simulation read back. */
    public ExperimentSimulations all(ExperimentRunner.Outcome outcome) {
        throwIfFailed(true);
        return ExperimentSimulations.simulate(platform, outcome, seeker, turns, out, reuse, madeHere, encoders);
    }

    private void throwIfFailed(boolean wait) {
        for (Future<?> f : pending) {
            if (!wait && !f.isDone()) {
                continue;
            }
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the simulations", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r
                        : new IllegalStateException("Simulating failed: " + e.getCause(), e.getCause());
            }
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            if (worker.awaitTermination(1, TimeUnit.SECONDS)) {
                encoders.close();
            }
            // else a seed's simulation is still encoding (it does not stop when interrupted): freeing the native
            // model under it could crash the JVM, which is on its way out anyway and frees it then
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
