package org.crsaug.platform.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staging directories beside live writers: a writer that starts (a trainer, a scorer's student) cleans only
 * what dead writers left, never another live writer's work in progress, and two writers of one artifact id
 * end with one artifact.
 */
class ArtifactStoreTest {

    @Test
    void cleaningRemovesOnlyWhatDeadWritersLeft(@TempDir Path root) throws Exception {
        long self = ProcessHandle.current().pid();
        // a process that has exited: its pid names no live process any more
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        long dead = exited.pid();
        assertThat(ProcessHandle.of(dead).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        // a live process other than this one: the build that runs this test
        long live = ProcessHandle.current().parent().orElseThrow().pid();

        Path ofLiveWriter = staging(root, ".staging-pid" + live + "-inspired-r3-baseline-semantic-1-123");
        Path ofDeadWriter = staging(root, ".staging-pid" + dead + "-inspired-r2-baseline-semantic-1-456");
        Path ofOlderVersion = staging(root, ".staging-inspired-r1-x-789");
        Path ofThisProcessThatFailed = staging(root, ".staging-pid" + self + "-inspired-r2-two-stage-semantic-2-1");
        Path published = Files.createDirectories(root.resolve("inspired-r1-baseline-semantic-0"));

        ArtifactStore store = new ArtifactStore(root);
        AtomicReference<Path> inProgress = new AtomicReference<>();
        AtomicInteger removedWhileWriting = new AtomicInteger();
        // another writer of this process starts (and cleans) while this one is half-way through an artifact
        store.publish("inspired-r4-baseline-semantic-1", dir -> {
            Files.writeString(dir.resolve("model.bin"), "half a model");
            inProgress.set(dir);
            removedWhileWriting.set(new ArtifactStore(root).cleanStaleStaging());
            assertThat(dir).as("this writer's own staging directory").isDirectory();
            Files.writeString(dir.resolve("model.bin"), "a whole model");
        });

        assertThat(removedWhileWriting.get()).isEqualTo(3);
        assertThat(ofDeadWriter).doesNotExist();
        assertThat(ofOlderVersion).doesNotExist();
        assertThat(ofThisProcessThatFailed).doesNotExist();
        assertThat(ofLiveWriter).as("another live process's work in progress").isDirectory();
        assertThat(published).isDirectory();
        assertThat(ArtifactStore.stagingOwner(inProgress.get())).isEqualTo(OptionalLong.of(self));
        assertThat(root.resolve("inspired-r4-baseline-semantic-1").resolve("model.bin")).hasContent("a whole model");
        assertThat(store.cleanStaleStaging()).as("nothing stale left").isZero();
        assertThat(ofLiveWriter).isDirectory();
    }

    @Test
    void twoWritersOfOneArtifactIdEndWithTheFirstOneRenamedAndNoStagingLeft(@TempDir Path root) {
        ArtifactStore first = new ArtifactStore(root);
        ArtifactStore second = new ArtifactStore(root);
        AtomicReference<ArtifactStore.Published> firstResult = new AtomicReference<>();
        // the second writer had checked that the id was free, and is still writing when the first renames
        ArtifactStore.Published secondResult = second.publish("student-v1", dir -> {
            Files.writeString(dir.resolve("weights"), "second");
            firstResult.set(first.publish("student-v1", d -> Files.writeString(d.resolve("weights"), "first")));
        });

        assertThat(root.resolve("student-v1").resolve("weights")).hasContent("first");
        assertThat(secondResult).isEqualTo(firstResult.get());
        assertThat(ArtifactStore.open(secondResult.uri(), secondResult.sha256())).isDirectory();
        assertThat(root.toFile().list()).containsExactly("student-v1");
    }

    private static Path staging(Path root, String name) throws Exception {
        Path dir = Files.createDirectories(root.resolve(name));
        Files.writeString(dir.resolve("model.bin"), "partial");
        return dir;
    }
}
