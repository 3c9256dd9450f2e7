package org.crsaug.retriever;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.crsaug.model.encoder.ForwardingEncoder;
import org.crsaug.model.encoder.TextEncoder;

/** Passes texts to the real encoder and counts them: how the service shows what a cache saved. */
public final class CountingEncoder extends ForwardingEncoder {

    private final AtomicLong texts = new AtomicLong();

    public CountingEncoder(TextEncoder delegate) {
        super(delegate);
    }

    @Override
    public float[][] encode(List<String> batch) {
        texts.addAndGet(batch.size());
        return delegate.encode(batch);
    }

    @Override
    public float[][] encodeQueries(List<String> batch) {
        texts.addAndGet(batch.size());
        return delegate.encodeQueries(batch);
    }

    /** Texts handed to the encoder so far. */
    public long encodedTexts() {
        return texts.get();
    }
}
