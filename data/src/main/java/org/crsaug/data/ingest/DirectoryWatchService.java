package org.crsaug.data.ingest;

import java.nio.file.Path;
import java.time.Duration;
import org.crsaug.platform.kafka.Platform;
import org.crsaug.platform.service.WorkerService;

/**
 * A {@link DirectoryWatcher} as a {@link org.crsaug.platform.service.Service}, for {@code crs up --watch}:
 * it scans on its own thread beside the pipeline and stops with it. The watcher (and so its transactional
 * producer, which aborts a killed predecessor's open transaction) is made at construction, so a directory
 * that cannot be watched fails the start instead of the first scan.
 */
public final class DirectoryWatchService extends WorkerService {

    private final DirectoryWatcher watcher;
    private final Duration pollInterval;

    public DirectoryWatchService(Platform platform, Path dir, String dataset, DirectoryWatcher.Listener listener) {
        super("watch-" + dir.getFileName());
        this.watcher = new DirectoryWatcher(platform, dir, dataset,
                Duration.ofMillis(platform.config().getLong("ingest.watch.settle.ms")), listener);
        this.pollInterval = Duration.ofMillis(platform.config().getLong("ingest.watch.poll.ms"));
    }

    public Path directory() {
        return watcher.directory();
    }

    @Override
    protected void work() throws InterruptedException {
        markReady();
        // returns once stop() counts the watcher's latch down; a scan in progress finishes its transaction first
        watcher.run(pollInterval);
    }

    @Override
    public synchronized void stop() {
        watcher.stop();
        super.stop();
        watcher.close();
    }
}
