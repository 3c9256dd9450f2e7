package org.crsaug.model.encoder;

import java.util.List;

/**
 * An encoder that hands everything to another one and owns it (closing this closes it); a wrapper overrides
 * only what it adds. Both calls are forwarded explicitly, so a wrapper cannot encode queries as documents.
 */
public abstract class ForwardingEncoder implements TextEncoder {

    protected final TextEncoder delegate;

    protected ForwardingEncoder(TextEncoder delegate) {
        this.delegate = delegate;
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public float[][] encode(List<String> texts) {
        return delegate.encode(texts);
    }

    @Override
    public float[][] encodeQueries(List<String> texts) {
        return delegate.encodeQueries(texts);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
