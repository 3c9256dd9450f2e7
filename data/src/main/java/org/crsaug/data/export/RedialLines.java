package org.crsaug.data.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.crsaug.data.dataset.Datasets;
import org.crsaug.data.export.LabelSnapshot.LabelledContext;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.ItemFeedback;
import org.crsaug.schema.Role;
import org.crsaug.schema.Turn;

/**
 * ReDial lines ({@code conversationId}, worker ids, {@code movieMentions}, {@code messages} with {@code @id}
 * mentions, the two questionnaires), in {@code train_data.jsonl} and {@code test_data.jsonl}. A turn is one
 * message; the first place a mentioned movie's title appears in it becomes {@code @id} again, which is how the
 * reader finds the items of a turn.
 */
final class RedialLines {

    static final String SEEKER_WORKER = "0";
    static final String RECOMMENDER_WORKER = "1";
    private static final String PREFIX = Datasets.REDIAL + ":";

    private RedialLines() {
    }

    static List<ExportFile> files(LabelSnapshot snapshot) {
        return DatasetLines.files(snapshot, split -> split + "_data.jsonl", (d, labels) -> line(snapshot, d, labels));
    }

    private static String line(LabelSnapshot snapshot, Dialogue d, Function<Integer, LabelledContext> labels) {
        ObjectNode o = LabelJson.NODES.objectNode();
        o.put("conversationId", nativeId(d.getDialogueId()));
        o.put("initiatorWorkerId", Integer.parseInt(SEEKER_WORKER));
        o.put("respondentWorkerId", Integer.parseInt(RECOMMENDER_WORKER));
        Map<String, String> mentions = new TreeMap<>();
        ArrayNode messages = LabelJson.NODES.arrayNode();
        for (int i = 0; i < d.getTurns().size(); i++) {
            Turn t = d.getTurns().get(i);
            ObjectNode m = messages.addObject();
            m.put("messageId", i);
            m.put("senderWorkerId", Integer.parseInt(t.getRole() == Role.SEEKER ? SEEKER_WORKER : RECOMMENDER_WORKER));
            m.put("text", withMentions(snapshot, t, mentions));
            LabelledContext c = labels.apply(i);
            if (c != null) {
                m.set("augmented", LabelJson.augmented(snapshot, c));
            }
        }
        ObjectNode mm = o.putObject("movieMentions");
        mentions.forEach(mm::put);
        o.set("messages", messages);
        o.set("initiatorQuestions", questionnaire(d, "seeker"));
        o.set("respondentQuestions", questionnaire(d, "recommender"));
        return LabelJson.line(o);
    }

    /** The text with each mentioned movie's first title occurrence as @id; longer titles first (one may hold another). */
    private static String withMentions(LabelSnapshot snapshot, Turn t, Map<String, String> mentions) {
        List<String> ids = new ArrayList<>(t.getMentionedItemIds());
        ids.removeIf(id -> !id.startsWith(PREFIX));
        ids.sort(Comparator.comparingInt((String id) -> -snapshot.title(id).length()).thenComparing(id -> id));
        String text = t.getText();
        for (String id : ids) {
            String title = snapshot.title(id);
            int at = text.indexOf(title);
            if (at >= 0) {
                text = text.substring(0, at) + "@" + nativeId(id) + text.substring(at + title.length());
                mentions.put(nativeId(id), title);
            }
        }
        return text;
    }

    private static ObjectNode questionnaire(Dialogue d, String respondent) {
        ObjectNode q = LabelJson.NODES.objectNode();
        for (ItemFeedback f : d.getFeedback()) {
            if (f.getRespondent().equals(respondent) && f.getItemId().startsWith(PREFIX)) {
                q.putObject(nativeId(f.getItemId())).put("suggested", answer(f.getSuggested()))
                        .put("seen", answer(f.getSeen())).put("liked", answer(f.getLiked()));
            }
        }
        return q;
    }

    /** The questionnaires' coding: 0 no, 1 yes, 2 did not say. */
    private static int answer(Boolean b) {
        return b == null ? 2 : b ? 1 : 0;
    }

    private static String nativeId(String id) {
        return id.startsWith(PREFIX) ? id.substring(PREFIX.length()) : id;
    }
}
