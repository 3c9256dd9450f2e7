package org.crsaug.serve;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.crsaug.platform.metrics.CrsMetrics;
import org.crsaug.platform.topic.TopicLag;

/**
 * {@code GET /dashboard}, a page that polls {@code GET /api/dashboard} every few seconds and draws it:
 * records and consumer lag per topic, labels per minute, judge latency, LLM calls and cost, and the
 * validation and test recall of every checkpoint over time. The page is static (no CDN: the chart is SVG
 * drawn by its own script), so it works offline like the chat page.
 */
final class DashboardRoutes {

    /** One minute of the labels-per-minute history. */
    record MinuteCount(long minuteMs, long labels) {
    }

    record Labels(long lastMinute, List<MinuteCount> perMinute) {
    }

    record Dashboard(String generatedAt, String bootstrapServers, String headlineProtocol,
                     List<TopicLag.Row> topics, Labels labels, List<DashboardMetrics.JudgeLatency> judges,
                     List<DashboardMetrics.LlmSpend> llm, List<CheckpointRoutes.Summary> checkpoints) {
    }

    private final PipelineViews views;
    private final String headlineProtocol;
    private final byte[] page;

    private DashboardRoutes(PipelineViews views) {
        this.views = views;
        // the evaluator's first protocol is the headline one, as crs run and crs status report it
        this.headlineProtocol = views.platform().config().get("evaluator.protocols").split(",")[0].strip();
        this.page = RecommendationServer.resource("/serve/dashboard.html");
    }

    static void add(RoutesConfig routes, PipelineViews views) {
        DashboardRoutes r = new DashboardRoutes(views);
        routes.get("/dashboard", ctx -> ctx.contentType("text/html; charset=utf-8").result(r.page));
        routes.get("/api/dashboard", r::dashboard);
    }

    private void dashboard(Context ctx) {
        long now = System.currentTimeMillis();
        DialogueView dialogues = views.dialogues();
        List<MinuteCount> perMinute = new ArrayList<>();
        for (Map.Entry<Long, Long> e : dialogues.labelsPerMinute(now).entrySet()) {
            perMinute.add(new MinuteCount(e.getKey(), e.getValue()));
        }
        DashboardMetrics.Snapshot metrics = DashboardMetrics.read(CrsMetrics.registry());
        ctx.json(new Dashboard(Instant.ofEpochMilli(now).toString(), views.platform().bootstrapServers(),
                headlineProtocol, views.topics(), new Labels(dialogues.labelsLastMinute(now), perMinute),
                metrics.judges(), metrics.llm(), CheckpointRoutes.summaries(views.checkpoints())));
    }
}
