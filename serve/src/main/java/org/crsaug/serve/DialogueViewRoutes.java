package org.crsaug.serve;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Optional;
import org.crsaug.platform.http.HttpError;

/**
 * {@code GET /api/dialogues/<id>}: what the pipeline made of one dialogue, per context (candidate count,
 * scored pairs, augmented labels and when each stage finished), from {@link DialogueView}. This is how
 * someone who sent a new dialogue sees what it got. An id without a dataset prefix is also looked up
 * with the served dataset's ({@code my-1} is {@code inspired:my-1} once ingested, as {@code DialogueJson}
 * names it).
 */
final class DialogueViewRoutes {

    private final PipelineViews views;
    private final String dataset;

    private DialogueViewRoutes(PipelineViews views, String dataset) {
        this.views = views;
        this.dataset = dataset;
    }

    static void add(RoutesConfig routes, PipelineViews views, String dataset) {
        DialogueViewRoutes r = new DialogueViewRoutes(views, dataset);
        // <id>, not {id}: a dialogue id is any text, slashes included
        routes.get("/api/dialogues/<id>", r::dialogue);
    }

    private void dialogue(Context ctx) {
        String id = ctx.pathParam("id").strip();
        if (id.isEmpty()) {
            throw new HttpError(400, "Name a dialogue: GET /api/dialogues/<dialogueId>");
        }
        DialogueView view = views.dialogues();
        Optional<DialogueView.DialogueReport> report = view.dialogue(id);
        if (report.isEmpty() && !id.startsWith(dataset + ":")) {
            report = view.dialogue(dataset + ":" + id);
        }
        ctx.json(report.orElseThrow(() -> new HttpError(404, "Unknown dialogue '" + id + "': the pipeline has"
                + " produced no candidates, scores or labels for it among the " + view.maxDialogues()
                + " most recently processed dialogues that this server keeps (--set " + DialogueView.MAX_DIALOGUES_KEY
                + "=N keeps more; a dialogue just ingested shows up once the retriever has"
                + " run on it; one without a recommender turn naming a new item has no contexts)")));
    }
}
