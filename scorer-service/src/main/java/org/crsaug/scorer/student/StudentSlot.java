package org.crsaug.scorer.student;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The student version now scoring, shared by every stream thread and replaced by the retrainer.
 *
 * <p>One atomic reference is the only shared state. A swap must not close a model a stream thread is
 * still scoring with, and scorers must not wait for a swap, so each loaded version counts its users:
 * the slot holds one use while the version is current, every {@link #acquire()} adds one, and the
 * model is closed by whoever gives back the last.
 */
final class StudentSlot implements AutoCloseable {

    private final AtomicReference<Lease> current = new AtomicReference<>();

    /** One use of a loaded version; closing it gives the use back. */
    static final class Lease implements AutoCloseable {

        private final StudentArtifacts.Version version;
        private final StudentModel model;
        private final AtomicInteger uses = new AtomicInteger(1);

        private Lease(StudentArtifacts.Version version, StudentModel model) {
            this.version = version;
            this.model = model;
        }

        StudentArtifacts.Version version() {
            return version;
        }

        StudentModel model() {
            return model;
        }

        /** False once the last use was given back: the model is closed and must not be scored with. */
        private boolean retain() {
            for (int n = uses.get(); n > 0; n = uses.get()) {
                if (uses.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() {
            if (uses.decrementAndGet() == 0) {
                model.close();
            }
        }
    }

    /** The current version with one use taken, or null before the first; close it after scoring. */
    Lease acquire() {
        while (true) {
            Lease l = current.get();
            // a failed retain means a swap replaced l and its last user finished, so the reference has moved on
            if (l == null || l.retain()) {
                return l;
            }
        }
    }

    /** Versions are immutable and outlive their models, so reading one needs no use. */
    StudentArtifacts.Version version() {
        Lease l = current.get();
        return l == null ? null : l.version();
    }

    /** Makes {@code model} the one that scores; the previous model closes once its last scorer is done. */
    void swapTo(StudentArtifacts.Version version, StudentModel model) {
        release(current.getAndSet(new Lease(version, model)));
    }

    @Override
    public void close() {
        release(current.getAndSet(null));
    }

    private static void release(Lease old) {
        if (old != null) {
            old.close();
        }
    }
}
