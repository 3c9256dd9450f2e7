package org.crsaug.serve;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.crsaug.data.ingest.DialogueIntake;
import org.crsaug.platform.http.HttpError;
import org.crsaug.platform.http.HttpServers;
import org.crsaug.platform.kafka.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/dialogues[?dataset=D]}: new dialogues into the pipeline while it runs. The body is
 * anything {@link org.crsaug.data.dataset.DialogueBodies} reads (one dialogue, a list, JSON lines,
 * ReDial or INSPIRED lines); the dataset defaults to {@code serve.dataset}.
 *
 * <p>A body is taken whole or not at all: 202 with the ids of the dialogues published, or 400 naming
 * every bad record and publishing none of the body's dialogues, so a client corrects and resends the
 * body without working out which part already went through. Bad records, and bodies over
 * {@code serve.max.body.bytes} (413), are also dead letters, so an operator sees rejected input.
 */
public final class DialogueIntakeRoutes implements AutoCloseable {

    static final String PATH = "/api/dialogues";
    private static final Logger LOG = LoggerFactory.getLogger(DialogueIntakeRoutes.class);
    private static final String TOO_LARGE_HINT = "send fewer dialogues per request, or raise serve.max.body.bytes";

    private final DialogueIntake intake;
    private final String defaultDataset;
    private final long maxBodyBytes;

    private DialogueIntakeRoutes(DialogueIntake intake, String defaultDataset, long maxBodyBytes) {
        this.intake = intake;
        this.defaultDataset = defaultDataset;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** A producer of the dialogues topic for this server; its transactional id is its own. */
    public static DialogueIntakeRoutes create(Platform platform) {
        return new DialogueIntakeRoutes(new DialogueIntake(platform, "crs-serve-intake-" + UUID.randomUUID()),
                platform.config().get("serve.dataset").strip(), platform.config().getLong("serve.max.body.bytes"));
    }

    /** The body limit of the whole server: a dialogue list is the largest body it takes. */
    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    public String tooLargeHint() {
        return TOO_LARGE_HINT;
    }

    public void addRoutes(RoutesConfig routes) {
        routes.post(PATH, this::submit);
    }

    private void submit(Context ctx) {
        String request = "http:POST " + PATH + "#" + UUID.randomUUID().toString().substring(0, 8);
        String dataset = DialogueIntake.canonical(ctx.queryParam("dataset") == null ? defaultDataset
                : ctx.queryParam("dataset"));
        byte[] bytes;
        try {
            bytes = ctx.bodyAsBytes(); // enforces the body limit
        } catch (HttpResponseException e) {
            if (e.getStatus() == 413) {
                String length = ctx.header("Content-Length");
                try {
                    intake.refuse(request, HttpServers.tooLarge(maxBodyBytes, TOO_LARGE_HINT)
                            + (length == null ? "" : " (Content-Length " + length + ")") + "; the body was not read",
                            "");
                } catch (IllegalStateException unrecorded) {
                    // the client's answer is still 413; that the refusal could not be recorded is the log's
                    LOG.warn("Could not record the refused body of {} as a dead letter", request, unrecorded);
                }
            }
            throw e;
        }
        DialogueIntake.Outcome outcome;
        try {
            outcome = intake.submit(bytes, dataset, null, request,
                    DialogueIntake.Policy.ALL_OR_NOTHING, replace(ctx));
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage());
        } catch (IllegalStateException e) {
            // no catalogue yet, or Kafka is away: nothing was published, the same body may be sent again
            throw new HttpError(503, e.getMessage());
        }
        if (!outcome.clean()) {
            throw new HttpError(400, outcome.bad().size() + (outcome.bad().size() == 1 ? " bad record" : " bad records")
                    + ", nothing published (a body is taken whole or not at all; fix and send it again; dead letters "
                    + "from " + request + "): " + outcome.bad().stream().map(Object::toString)
                    .collect(Collectors.joining("; ")));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("accepted", outcome.published());
        answer.put("replaced", outcome.replaced());
        answer.put("unchanged", outcome.unchanged());
        answer.put("dataset", dataset);
        ctx.status(202).json(answer);
    }

    /** {@code ?replace=true} lets a changed dialogue replace the one published under its id; anything else is 400. */
    private static DialogueIntake.Changed replace(Context ctx) {
        String v = ctx.queryParam("replace");
        if (v == null || v.equalsIgnoreCase("false")) {
            return DialogueIntake.Changed.REFUSE;
        }
        if (v.equalsIgnoreCase("true")) {
            return DialogueIntake.Changed.REPLACE;
        }
        throw new HttpError(400, "replace must be true or false, got '" + v + "'");
    }

    @Override
    public void close() {
        intake.close();
    }
}
