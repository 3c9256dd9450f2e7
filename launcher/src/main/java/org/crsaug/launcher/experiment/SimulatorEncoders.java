package org.crsaug.launcher.experiment;

import java.util.LinkedHashMap;
import java.util.Map;
import org.crsaug.model.encoder.RememberingEncoder;
import org.crsaug.model.encoder.TextEncoders;
import org.crsaug.platform.kafka.Platform;

/**
 * The query encoders an experiment's simulations share, one per label variant (a variant may name another
 * encoder), each remembering what it encoded for as long as the experiment runs. Every seed's models meet the same
 * test contexts at turn 1, and a model's later turns repeat another's wherever both recommended the same film;
 * so a grid simulated seed by seed encodes each such text once, not once per seed.
 */
public final class SimulatorEncoders implements AutoCloseable {

    /** Texts remembered per variant: about 3 KiB each (vector and text), so at most ~600 MiB. */
    static final int REMEMBERED_TEXTS = 200_000;

    private final Map<String, RememberingEncoder> byVariant = new LinkedHashMap<>();

    /** The variant's encoder, made from its platform's configuration the first time it is asked for. */
    synchronized RememberingEncoder of(String variant, Platform variantPlatform) {
        return byVariant.computeIfAbsent(variant, v -> new RememberingEncoder(
                TextEncoders.create(variantPlatform.config(), variantPlatform.config().modelCache()),
                REMEMBERED_TEXTS));
    }

    @Override
    public synchronized void close() {
        byVariant.values().forEach(RememberingEncoder::close);
        byVariant.clear();
    }
}
