package org.crsaug.model.llm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.crsaug.platform.metrics.CrsMetrics;

/**
 * The estimated LLM spend of this process by how the tokens were bought ({@link LlmUsage#ONLINE} chat calls,
 * {@link LlmUsage#BATCH} Batch API lines at the batch price), read from the {@code crs_llm_cost_usd_total}
 * meters every LLM client adds to. A run takes one reading before and one after and reports the difference,
 * so a report shows what the run itself spent and the same numbers a Prometheus scrape would.
 */
public record LlmCosts(Map<String, Double> usdByMode) {

    public LlmCosts {
        usdByMode = Map.copyOf(usdByMode);
    }

    /** The meters of this process now. */
    public static LlmCosts now() {
        return read(CrsMetrics.registry());
    }

    static LlmCosts read(MeterRegistry registry) {
        Map<String, Double> out = new TreeMap<>();
        for (Counter c : registry.find("crs.llm.cost.usd").counters()) {
            out.merge(c.getId().getTag("mode"), c.count(), Double::sum);
        }
        return new LlmCosts(out);
    }

    /** What was spent since {@code before}, per mode. */
    public LlmCosts since(LlmCosts before) {
        Map<String, Double> out = new TreeMap<>();
        usdByMode.forEach((mode, usd) -> out.put(mode, usd - before.usdByMode.getOrDefault(mode, 0.0)));
        return new LlmCosts(out);
    }

    public double usd(String mode) {
        return usdByMode.getOrDefault(mode, 0.0);
    }

    public double totalUsd() {
        return usdByMode.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** One line for a run's summary: online and batch always named, so a reader sees which one paid. */
    public String line() {
        return String.format(Locale.ROOT, "LLM cost (estimate): online $%.4f, batch $%.4f, total $%.4f",
                usd(LlmUsage.ONLINE), usd(LlmUsage.BATCH), totalUsd());
    }
}
