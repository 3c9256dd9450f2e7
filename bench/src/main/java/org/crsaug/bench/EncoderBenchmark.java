package org.crsaug.bench;

import org.crsaug.model.encoder.OnnxEncoder;
import org.crsaug.model.encoder.OnnxModelSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Rough throughput check for the bundled MiniLM: {@code EncoderBenchmark [texts] [cacheDir]}. Prints the
 * median texts/s of three runs with one graph call at a time and with one per core, after an untimed
 * warm-up run.
 */
public final class EncoderBenchmark {

    private static final String[] WORDS = ("the a movie film story hero villain love ghost ship space city night "
            + "family war friend secret journey dark funny old young detective robot planet king queen town "
            + "river house school music dream fight escape truth heart alien crew murder island summer winter")
            .split(" ");

    private EncoderBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        Path cache = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("encoder-bench");
        List<String> texts = sentences(n, 40, new Random(7));
        System.out.printf("texts=%d words/text=40 cores=%d%n", n, Runtime.getRuntime().availableProcessors());
        int cores = Runtime.getRuntime().availableProcessors();
        for (int threads : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
            try (OnnxEncoder encoder = new OnnxEncoder(OnnxModelSpec.ALL_MINILM_L6_V2, cache, 32, threads)) {
                encoder.encode(texts.subList(0, Math.min(n, 32)));
                double[] rates = new double[3];
                for (int run = 0; run < rates.length; run++) {
                    long t0 = System.nanoTime();
                    encoder.encode(texts);
                    rates[run] = n / ((System.nanoTime() - t0) / 1e9);
                }
                Arrays.sort(rates);
                System.out.printf("threads=%-2d median %.1f texts/s (runs %.1f / %.1f / %.1f)%n",
                        threads, rates[1], rates[0], rates[1], rates[2]);
            }
        }
    }

    static List<String> sentences(int count, int words, Random rnd) {
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < words; w++) {
                sb.append(w == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
            }
            out.add(sb.append('.').toString());
        }
        return out;
    }
}
