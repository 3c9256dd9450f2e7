package org.crsaug.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.crsaug.platform.metrics.MetricsServer;

/**
 * One read of the process's Prometheus endpoint, over real HTTP as Prometheus would, with lookups by
 * series name and label values. The registry is shared by every test of a JVM, so tests compare two
 * scrapes ({@link #delta}) rather than trusting absolute counts.
 */
public final class Scrape {

    private final String text;

    private Scrape(String text) {
        this.text = text;
    }

    /** Opens the service endpoint on a free port, reads {@code /metrics} and closes it. */
    public static Scrape now() {
        try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, () -> true, () -> true)) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("/metrics answered " + r.statusCode());
            }
            return new Scrape(r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public String text() {
        return text;
    }

    /** Lines of the series {@code name} whose labels include every {@code label, value} pair given. */
    public List<String> lines(String name, String... labelValues) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i + 1 < labelValues.length; i += 2) {
                all &= line.contains(labelValues[i] + "=\"" + labelValues[i + 1] + "\"");
            }
            if (all) {
                out.add(line);
            }
        }
        return out;
    }

    /** Sum of the matching series' values; 0 when there is none. */
    public double value(String name, String... labelValues) {
        double sum = 0;
        for (String line : lines(name, labelValues)) {
            sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return sum;
    }

    /** How much the matching series grew since {@code before}. */
    public double delta(Scrape before, String name, String... labelValues) {
        return value(name, labelValues) - before.value(name, labelValues);
    }
}
