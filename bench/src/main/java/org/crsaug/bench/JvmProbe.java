package org.crsaug.bench;

import com.sun.management.UnixOperatingSystemMXBean;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Resources of another JVM on this machine (the {@code crs up} a soak measures), read from outside: the
 * bench attaches to it (the JDK's attach API, same user), starts its local JMX agent and reads its platform
 * MXBeans. Nothing in the measured process has to expose metrics, and the bench's own heap and files are
 * not counted.
 */
final class JvmProbe implements AutoCloseable {

    /**
     * @param heapAfterGcBytes heap in use right after a full collection the probe asked for: the live data
     * @param openFiles        file descriptors the process holds (files, sockets, pipes)
     * @param threads          live threads
     * @param rssBytes         resident memory (heap, native libraries and buffers, e.g. the ONNX and PyTorch
     *                         engines'), or -1 where /proc is not there
     * @param cpuNanos         CPU time the process has used so far
     */
    record Reading(long heapAfterGcBytes, long openFiles, int threads, long rssBytes, long cpuNanos) {
    }

    private final long pid;
    private final JMXConnector connector;
    private final MemoryMXBean memory;
    private final ThreadMXBean threads;
    private final UnixOperatingSystemMXBean os;

    private JvmProbe(long pid, JMXConnector connector) throws IOException {
        this.pid = pid;
        this.connector = connector;
        MBeanServerConnection c = connector.getMBeanServerConnection();
        this.memory = ManagementFactory.newPlatformMXBeanProxy(c, ManagementFactory.MEMORY_MXBEAN_NAME,
                MemoryMXBean.class);
        this.threads = ManagementFactory.newPlatformMXBeanProxy(c, ManagementFactory.THREAD_MXBEAN_NAME,
                ThreadMXBean.class);
        this.os = ManagementFactory.newPlatformMXBeanProxy(c, ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME,
                UnixOperatingSystemMXBean.class);
    }

    static JvmProbe attach(long pid) {
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            String url;
            try {
                url = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
            return new JvmProbe(pid, JMXConnectorFactory.connect(new JMXServiceURL(url)));
        } catch (AttachNotSupportedException | IOException e) {
            throw new IllegalStateException("Cannot attach to the JVM of pid " + pid + " to read its heap and open"
                    + " files (" + e.getMessage() + "); the bench needs a full JDK (jdk.attach) and the same user as"
                    + " that process", e);
        }
    }

    /**
     * Runs a full collection in the measured JVM ({@code System.gc()}, a pause it pays), then reads every
     * figure. A process with {@code -XX:+ExplicitGCInvokesConcurrent} or {@code -XX:+DisableExplicitGC}
     * would make the heap figure include garbage; crs up is started with neither.
     */
    Reading read() {
        memory.gc();
        long heap = memory.getHeapMemoryUsage().getUsed();
        return new Reading(heap, os.getOpenFileDescriptorCount(), threads.getThreadCount(), rss(), cpuNanos());
    }

    /** CPU time used so far, without a collection: for "is it idle" between readings. */
    long cpuNanos() {
        return os.getProcessCpuTime();
    }

    /** VmRSS of /proc/PID/status, -1 where there is none (not Linux). */
    private long rss() {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        if (!Files.isReadable(status)) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + status, e);
        }
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // the measured process may be gone already; nothing of ours is left open
        }
    }
}
