package org.crsaug.platform.metrics;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The process-wide meter registry, in Prometheus format. It is also added to Micrometer's global
 * registry, so any component can record with {@code Metrics.counter(...)} / {@code Metrics.timer(...)}
 * without being handed a registry, and the one {@link MetricsServer} of the process exposes it all.
 */
public final class CrsMetrics {

    private static final PrometheusMeterRegistry REGISTRY = create();

    private CrsMetrics() {
    }

    private static PrometheusMeterRegistry create() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Metrics.addRegistry(r);
        return r;
    }

    public static PrometheusMeterRegistry registry() {
        return REGISTRY;
    }
}
