package org.crsaug.retriever;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.ItemFeedback;
import org.crsaug.schema.Turn;

/**
 * Co-mention statistics of the training dialogues: which items people talk about together.
 *
 * <p>A context's seeds are the items mentioned before it that the seeker said they liked (ReDial's
 * questionnaire), or all items mentioned before it where there is no such answer (INSPIRED). Every
 * other training dialogue that mentions a seed votes once for each further item it mentions; items
 * are ranked by votes. The context's own dialogue never votes: it holds the gold item, and counting
 * it would turn the labels into a copy of the answer.
 *
 * <p>This is the collaborative candidate source. Content-only candidates gave no lift in the
 * calibration runs; these did, because they carry what similar conversations actually ended with.
 */
public final class CoMentionIndex {

    public record Hit(String itemId, int votes) {
    }

    private final Set<String> splits;
    private final Map<String, Set<String>> itemsByDialogue = new HashMap<>();
    private final Map<String, Set<String>> dialoguesByItem = new HashMap<>();
    private final Map<String, Integer> mentionCounts = new HashMap<>();
    /** One instance of each item id: every dialogue's record brings its own copies, and the index keeps them. */
    private final Map<String, String> itemIds = new HashMap<>();
    /** mentionCounts' keys, most mentioned first; null when a change made it stale. */
    private List<String> byPopularity;

    /** @param splits dialogues of these splits contribute statistics (normally only train) */
    public CoMentionIndex(Set<String> splits) {
        this.splits = Set.copyOf(splits);
    }

    /** Adds or replaces a dialogue; dialogues of other splits are ignored, a null value removes. */
    public synchronized void put(String dialogueId, Dialogue dialogue) {
        byPopularity = null;
        remove(dialogueId);
        if (dialogue == null || !splits.contains(dialogue.getSplit())) {
            return;
        }
        Set<String> items = new LinkedHashSet<>();
        for (Turn t : dialogue.getTurns()) {
            for (String item : t.getMentionedItemIds()) {
                items.add(itemIds.computeIfAbsent(item, k -> k));
            }
        }
        if (items.isEmpty()) {
            return;
        }
        itemsByDialogue.put(dialogueId, items);
        for (String item : items) {
            dialoguesByItem.computeIfAbsent(item, k -> new HashSet<>()).add(dialogueId);
            mentionCounts.merge(item, 1, Integer::sum);
        }
    }

    private void remove(String dialogueId) {
        Set<String> old = itemsByDialogue.remove(dialogueId);
        if (old == null) {
            return;
        }
        for (String item : old) {
            Set<String> ds = dialoguesByItem.get(item);
            ds.remove(dialogueId);
            if (ds.isEmpty()) {
                dialoguesByItem.remove(item);
            }
            mentionCounts.merge(item, -1, Integer::sum);
            if (mentionCounts.get(item) <= 0) {
                mentionCounts.remove(item);
            }
        }
    }

    /**
     * The most-mentioned items of a dataset, leaving out {@code ownDialogueId}'s mentions and the
     * excluded items: the fallback when a context has no seeds.
     */
    public synchronized List<Hit> popular(String ownDialogueId, String dataset, Collection<String> excluded, int n) {
        if (byPopularity == null) {
            byPopularity = new ArrayList<>(mentionCounts.keySet());
            byPopularity.sort((a, b) -> {
                int ca = mentionCounts.get(a);
                int cb = mentionCounts.get(b);
                return ca != cb ? Integer.compare(cb, ca) : a.compareTo(b);
            });
        }
        Set<String> own = itemsByDialogue.getOrDefault(ownDialogueId, Set.of());
        String prefix = dataset + ":";
        List<Hit> out = new ArrayList<>();
        // the own dialogue lowers at most |own| counts by one, so |own| extra entries cover any reordering
        for (String item : byPopularity) {
            if (out.size() >= n + own.size()) {
                break;
            }
            if (item.startsWith(prefix) && !excluded.contains(item)) {
                out.add(new Hit(item, mentionCounts.get(item) - (own.contains(item) ? 1 : 0)));
            }
        }
        out.sort((a, b) -> a.votes() != b.votes() ? Integer.compare(b.votes(), a.votes())
                : a.itemId().compareTo(b.itemId()));
        return out.size() > n ? new ArrayList<>(out.subList(0, n)) : out;
    }

    public synchronized int dialogueCount() {
        return itemsByDialogue.size();
    }

    /** Seeds of a context: liked mentioned items when the dialogue says, else every mentioned item. */
    public static List<String> seeds(DialogueContext context, Dialogue dialogue) {
        List<String> mentioned = context.mentionedInOrder();
        if (dialogue == null || dialogue.getFeedback().isEmpty()) {
            return mentioned;
        }
        Set<String> liked = new HashSet<>();
        Set<String> seekerAnswered = new HashSet<>();
        for (ItemFeedback f : dialogue.getFeedback()) {
            if ("seeker".equalsIgnoreCase(f.getRespondent()) && f.getLiked() != null) {
                seekerAnswered.add(f.getItemId());
                if (f.getLiked()) {
                    liked.add(f.getItemId());
                }
            }
        }
        // the recommender's questionnaire reports what it believes the seeker liked; use it only
        // for items the seeker left unanswered
        for (ItemFeedback f : dialogue.getFeedback()) {
            if (!seekerAnswered.contains(f.getItemId()) && Boolean.TRUE.equals(f.getLiked())) {
                liked.add(f.getItemId());
            }
        }
        List<String> out = new ArrayList<>();
        for (String m : mentioned) {
            if (liked.contains(m)) {
                out.add(m);
            }
        }
        return out.isEmpty() ? mentioned : out;
    }

    /**
     * Items ranked by co-mention votes with the seeds, leaving out {@code ownDialogueId} and the
     * excluded items; ties go to the more often mentioned item, then to the smaller id.
     */
    public synchronized List<Hit> rank(String ownDialogueId, Collection<String> seeds, Collection<String> excluded,
            int k) {
        Map<String, Integer> votes = new HashMap<>();
        for (String seed : new LinkedHashSet<>(seeds)) {
            for (String d : dialoguesByItem.getOrDefault(seed, Set.of())) {
                if (d.equals(ownDialogueId)) {
                    continue;
                }
                for (String item : itemsByDialogue.get(d)) {
                    if (!item.equals(seed) && !excluded.contains(item) && !seeds.contains(item)) {
                        votes.merge(item, 1, Integer::sum);
                    }
                }
            }
        }
        List<Hit> hits = new ArrayList<>(votes.size());
        votes.forEach((item, v) -> hits.add(new Hit(item, v)));
        Set<String> own = itemsByDialogue.getOrDefault(ownDialogueId, Set.of());
        hits.sort((a, b) -> {
            if (a.votes() != b.votes()) {
                return Integer.compare(b.votes(), a.votes());
            }
            // popularity without the own dialogue, which would otherwise nudge its gold item up
            int pa = mentionCounts.getOrDefault(a.itemId(), 0) - (own.contains(a.itemId()) ? 1 : 0);
            int pb = mentionCounts.getOrDefault(b.itemId(), 0) - (own.contains(b.itemId()) ? 1 : 0);
            return pa != pb ? Integer.compare(pb, pa) : a.itemId().compareTo(b.itemId());
        });
        return hits.size() > k ? new ArrayList<>(hits.subList(0, k)) : hits;
    }
}
