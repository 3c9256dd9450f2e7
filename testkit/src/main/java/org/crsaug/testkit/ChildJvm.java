package org.crsaug.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A main class run in a JVM of its own on this JVM's class path, as a second terminal would run it: for
 * tests that kill a process with SIGKILL ({@link Process#destroyForcibly}), which nothing in the test's own
 * JVM can stand in for, and for benchmarks whose helpers (a scorer replica, the fake LLM server) must cost
 * beside the measured process, not inside it. Its output (stdout and stderr) goes to a log file, which the
 * caller can wait on and which outlives it for a post-mortem.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * @param args the main class's arguments
     * @param env  added to this JVM's environment (e.g. an API key variable)
     * @param logName file name of the log under target/ (stdout and stderr); replaced if it exists
     */
    public static ChildJvm start(String mainClass, List<String> args, Map<String, String> env, String logName) {
        return start(mainClass, args, env, TestDirs.target().resolve(logName), "1g");
    }

    /**
     * @param log     where its output goes (the folder is made)
     * @param maxHeap its {@code -Xmx}, e.g. "256m" for a small helper
     */
    public static ChildJvm start(String mainClass, List<String> args, Map<String, String> env, Path log,
            String maxHeap) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx" + maxHeap,
                // as surefire runs the tests: DJL never downloads an engine, temp files stay under target/
                "-Dai.djl.offline=true", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                // surefire runs the tests from a manifest-only jar: java.class.path is that jar, not the class path
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                mainClass));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        try {
            Files.createDirectories(log.getParent());
            return new ChildJvm(pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + mainClass + " in a new JVM: " + e.getMessage(), e);
        }
    }

    /** {@code --set key=value} for every setting, in order: how the crs commands and service mains take them. */
    public static List<String> setArgs(Map<String, String> settings) {
        List<String> out = new ArrayList<>();
        settings.forEach((k, v) -> {
            out.add("--set");
            out.add(k + "=" + v);
        });
        return out;
    }

    public Path log() {
        return log;
    }

    /** Throws, with the end of its log, if the process has ended. */
    public void checkAlive() {
        if (!process.isAlive()) {
            String[] lines = output().split("\n");
            throw new IllegalStateException("pid " + pid() + " exited with code " + process.exitValue()
                    + "; the end of its log " + log + ":\n"
                    + String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 15), lines.length)));
        }
    }

    /** SIGTERM, so the process shuts down cleanly (a scorer commits or aborts), then SIGKILL after 30 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** Everything the process wrote so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + log, e);
        }
    }

    /** Waits until the output contains {@code text}; fails at once, with the output, if the process ends first. */
    public String awaitOutput(String text, Duration timeout) throws InterruptedException {
        return Await.value("'" + text + "' in the output of pid " + pid() + " (" + log + ")", timeout, () -> {
            String out = output();
            if (out.contains(text)) {
                return out;
            }
            if (!process.isAlive()) {
                throw new AssertionError("pid " + pid() + " exited with " + process.exitValue() + " before printing '"
                        + text + "':\n" + out);
            }
            return null;
        });
    }

    /** SIGKILL, as {@code kill -9} would: no shutdown hook runs. Waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(1, java.util.concurrent.TimeUnit.MINUTES)) {
            throw new AssertionError("pid " + pid() + " still alive a minute after SIGKILL");
        }
    }
}
