package org.crsaug.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crsaug.model.recommender.Example;
import org.crsaug.model.recommender.TrainingData;
import org.crsaug.platform.config.CrsConfig;

/**
 * The trainer against its peer: samples/s of one training epoch per backbone through the trainer
 * ({@link TrainerBenchmark#throughput(TrainingData, String, int, int)}), and of the same network, batch size,
 * optimiser (Adam, the configured learning rate) and thread count written in PyTorch ({@code torch_peer.py},
 * a resource of this module, run as a child process). Both sides train on random inputs of the same shapes.
 * Peak memory is each process's peak resident set while it trains: the Python process's whole life, and the
 * bench JVM's from just before its first training (the peak is reset through {@code /proc/self/clear_refs}).
 * Where the interpreter or its torch is missing the comparison is skipped with one line, never failed.
 */
final class TorchPeer {

    static final String SCRIPT = "torch_peer.py";
    /** What the script exits with when {@code import torch} fails. */
    private static final int NO_TORCH = 3;
    private static final Pattern RATE = Pattern.compile("\"samples_per_s\": ([0-9.eE+-]+)");
    private static final Pattern RSS = Pattern.compile("\"peak_rss_mib\": ([0-9.eE+-]+)");
    private static final Pattern VERSION = Pattern.compile("\"torch\": \"([^\"]*)\"");
    private static final Pattern BLAS = Pattern.compile("\"blas\": \"([^\"]*)\"");

    /** One backbone's figures; {@code torchPerSecond} is NaN where PyTorch was skipped. */
    record Result(String backbone, double javaPerSecond, long javaPeakMib, double torchPerSecond, double torchPeakMib) {
        double ratio() {
            return javaPerSecond / torchPerSecond;
        }
    }

    private final CrsConfig config;
    private final Path python;
    private final PrintStream out;

    TorchPeer(CrsConfig config, Path python, PrintStream out) {
        this.config = config;
        this.python = python;
        this.out = out;
    }

    List<Result> run(List<String> backbones, int items, int dim, int batch, int samples, int runs) throws IOException,
            InterruptedException {
        int threads = Integer.getInteger("ai.djl.pytorch.num_threads", 1);
        int interop = Integer.getInteger("ai.djl.pytorch.num_interop_threads", 1);
        int hidden = config.getInt("trainer.hidden");
        double lr = config.getDouble("trainer.learning.rate");
        out.printf(Locale.ROOT, "trainer: %d items, %d dims, hidden %d, batch %d, Adam lr %s, %d samples per epoch,"
                + " %d intra-op / %d inter-op threads on both sides, median of %d epochs%n", items, dim, hidden, batch,
                lr, samples, threads, interop, runs);
        TrainingData data = synthetic(items, dim, samples, new Random(7));
        Optional<String> skip = whySkipped();
        skip.ifPresent(reason -> out.println("  PyTorch comparison skipped: " + reason));
        TrainerBenchmark bench = new TrainerBenchmark(config, out);
        List<Result> results = new ArrayList<>();
        for (String backbone : backbones) {
            resetPeakRss();
            double java = bench.throughput(data, backbone, batch, runs);
            long javaPeak = TrainerBenchmark.peakRssMib();
            double torch = Double.NaN;
            double torchPeak = Double.NaN;
            if (skip.isEmpty()) {
                String json = runScript(backbone, items, dim, hidden, batch, samples, lr, threads, interop, runs);
                torch = number(RATE, json);
                torchPeak = number(RSS, json);
                Matcher v = VERSION.matcher(json);
                Matcher blas = BLAS.matcher(json);
                if (results.isEmpty() && v.find()) {
                    out.println("  torch " + v.group(1) + " (" + python + "), BLAS " + (blas.find() ? blas.group(1) : "?"));
                }
            }
            Result r = new Result(backbone, java, javaPeak, torch, torchPeak);
            results.add(r);
            if (skip.isEmpty()) {
                out.printf(Locale.ROOT, "  %-9s java %8.1f samples/s   pytorch %8.1f samples/s   ratio %.2fx   peak RSS"
                        + " java %d MiB (whole JVM) / python %.0f MiB%n", backbone, java, torch, r.ratio(), javaPeak,
                        torchPeak);
            } else {
                out.printf(Locale.ROOT, "  %-9s java %8.1f samples/s   peak RSS %d MiB (whole JVM)%n", backbone, java,
                        javaPeak);
            }
        }
        return results;
    }

    /** Random unit contexts, random labels and two random mentions each: the shapes of real examples. */
    static TrainingData synthetic(int items, int dim, int samples, Random rnd) {
        float[][] itemVectors = new float[items][dim];
        for (float[] v : itemVectors) {
            for (int d = 0; d < dim; d++) {
                v[d] = (float) (0.05 * rnd.nextGaussian());
            }
        }
        List<Example> examples = new ArrayList<>(samples);
        for (int i = 0; i < samples; i++) {
            float[] c = new float[dim];
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                c[d] = (float) rnd.nextGaussian();
                norm += c[d] * c[d];
            }
            for (int d = 0; d < dim; d++) {
                c[d] /= (float) Math.sqrt(norm);
            }
            examples.add(new Example(c, rnd.nextInt(items), new int[] {rnd.nextInt(items), rnd.nextInt(items)}));
        }
        return new TrainingData(items, itemVectors, examples, List.of(), List.of());
    }

    /** Why PyTorch cannot be compared here, or empty when it can. */
    Optional<String> whySkipped() throws IOException, InterruptedException {
        if (!Files.isExecutable(python)) {
            return Optional.of(python + " is not there (give --python; Debian: apt-get install python3-torch)");
        }
        Process p = new ProcessBuilder(python.toString(), "-c", "import torch").redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return Optional.of("`" + python + " -c 'import torch'` did not finish within 2 minutes");
        }
        if (p.exitValue() != 0) {
            String last = said.isEmpty() ? "exit code " + p.exitValue() : said.substring(said.lastIndexOf('\n') + 1);
            return Optional.of("torch is not importable by " + python + " (" + last + "; Debian: apt-get install"
                    + " python3-torch)");
        }
        return Optional.empty();
    }

    private String runScript(String backbone, int items, int dim, int hidden, int batch, int samples, double lr,
            int threads, int interop, int runs) throws IOException, InterruptedException {
        Path script = Files.createTempFile("crs-torch-peer", ".py");
        try {
            try (InputStream in = TorchPeer.class.getResourceAsStream(SCRIPT)) {
                if (in == null) {
                    throw new IllegalStateException(SCRIPT + " is missing from the bench jar; rebuild it (mvn package)");
                }
                Files.write(script, in.readAllBytes());
            }
            List<String> cmd = List.of(python.toString(), script.toString(), "--backbone", backbone, "--items",
                    Integer.toString(items), "--dim", Integer.toString(dim), "--hidden", Integer.toString(hidden),
                    "--batch", Integer.toString(batch), "--samples", Integer.toString(samples), "--lr",
                    Double.toString(lr), "--threads", Integer.toString(threads), "--interop-threads",
                    Integer.toString(interop), "--runs", Integer.toString(runs));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            if (p.exitValue() == NO_TORCH || p.exitValue() != 0 || !RATE.matcher(said).find()) {
                throw new IllegalStateException("The PyTorch peer (" + String.join(" ", cmd) + ") exited with "
                        + p.exitValue() + ": " + said.strip());
            }
            return said;
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static double number(Pattern p, String json) {
        Matcher m = p.matcher(json);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** Resets this process's peak resident set (Linux 4.0+), so the next reading is the peak from now on. */
    private static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException e) {
            // not Linux, or not allowed: the reading is then the peak of the JVM's whole life, still an upper bound
        }
    }
}
