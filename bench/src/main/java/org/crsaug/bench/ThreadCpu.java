package org.crsaug.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * CPU time of this JVM's threads between two snapshots, split into the scorer's threads and the
 * rest. The scorer bench runs the broker, the schema registry, the fake LLM server and the scorer
 * replicas in one process, so process CPU would charge the scorer for the fake server's JSON and the
 * broker's log appends; per-thread CPU ({@link ThreadMXBean#getThreadCpuTime}) charges it only for
 * the threads it owns. Threads that start after the first snapshot count from zero; a thread that
 * ends before the second snapshot is lost, so take it before stopping the scorers.
 *
 * <p>Native threads a library starts without the JVM (PyTorch's intra-op pool) are invisible here;
 * the student's tiny network runs in the calling thread, so that is not a hole in practice.
 */
final class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * The scorer's threads, by name: everything Kafka Streams starts for the scorer application
     * (stream, global, state-updater threads and their clients' network and heartbeat threads all
     * carry the application id), the LLM judge's pool, the OpenAI SDK's OkHttp threads (only the
     * scorer speaks OkHttp in the bench), the judgement journal's producer and the student's
     * retrainer. Not counted: the broker, the registry, the fake server (Jetty) and the bench itself.
     */
    static final Predicate<String> SCORER = Pattern.compile(
            "crs-scorer|^llm-judge-|^OkHttp|^Okio|scorer-judgement-journal|^scorer-resume|^student-retrainer|crs-student-")
            .asPredicate();

    private final Map<Long, Long> cpuNanos;
    private final Map<Long, String> names;
    private final long processCpuNanos;

    private ThreadCpu(Map<Long, Long> cpuNanos, Map<Long, String> names, long processCpuNanos) {
        this.cpuNanos = cpuNanos;
        this.names = names;
        this.processCpuNanos = processCpuNanos;
    }

    static ThreadCpu snapshot() {
        if (!THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long t = THREADS.getThreadCpuTime(ids[i]);
            if (t >= 0 && infos[i] != null) {
                cpu.put(ids[i], t);
                names.put(ids[i], infos[i].getThreadName());
            }
        }
        long process = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
        return new ThreadCpu(cpu, names, process);
    }

    /** CPU spent between {@code before} and this snapshot. */
    Delta since(ThreadCpu before) {
        Map<String, Long> byGroup = new TreeMap<>();
        long scorer = 0;
        long other = 0;
        for (Map.Entry<Long, Long> e : cpuNanos.entrySet()) {
            long d = e.getValue() - before.cpuNanos.getOrDefault(e.getKey(), 0L);
            String name = names.get(e.getKey());
            if (SCORER.test(name)) {
                scorer += d;
            } else {
                other += d;
            }
            byGroup.merge((SCORER.test(name) ? "scorer: " : "other: ") + group(name), d, Long::sum);
        }
        return new Delta(scorer, other, processCpuNanos - before.processCpuNanos, byGroup);
    }

    /** A thread name without its numbers and ids, so that alike threads add up. */
    static String group(String name) {
        return name.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>")
                .replaceAll("bench-[a-z0-9-]*?-(?=crs-)", "<prefix>")
                .replaceAll("[0-9]+", "N");
    }

    record Delta(long scorerNanos, long otherNanos, long processNanos, Map<String, Long> byGroup) {

        /** The {@code n} largest groups, largest first, in ms. */
        Map<String, Long> top(int n) {
            Map<String, Long> out = new LinkedHashMap<>();
            List<Map.Entry<String, Long>> sorted = byGroup.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n).toList();
            for (Map.Entry<String, Long> e : sorted) {
                out.put(e.getKey(), e.getValue() / 1_000_000);
            }
            return out;
        }
    }
}
