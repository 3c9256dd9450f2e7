package org.crsaug.retriever;

import static org.assertj.core.api.Assertions.assertThat;
import static org.crsaug.retriever.Dialogues.dialogue;
import static org.crsaug.retriever.Dialogues.mentions;
import static org.crsaug.retriever.Dialogues.recommender;
import static org.crsaug.retriever.Dialogues.seeker;
import static org.crsaug.retriever.Dialogues.seekerLiked;

import java.util.List;
import java.util.Set;
import org.crsaug.data.context.DialogueContext;
import org.crsaug.data.context.DialogueContexts;
import org.crsaug.schema.Dialogue;
import org.junit.jupiter.api.Test;

class CoMentionIndexTest {

    private static CoMentionIndex indexOf(Dialogue... dialogues) {
        CoMentionIndex index = new CoMentionIndex(Set.of("train"));
        for (Dialogue d : dialogues) {
            index.put(d.getDialogueId(), d);
        }
        return index;
    }

    @Test
    void ranksItemsByHowManyOtherDialoguesMentionThemWithTheSeeds() {
        CoMentionIndex index = indexOf(
                mentions("d1", "t:alien", "t:aliens"),
                mentions("d2", "t:alien", "t:aliens", "t:thing"),
                mentions("d3", "t:alien", "t:thing"),
                mentions("d4", "t:alien", "t:aliens"),
                mentions("d5", "t:notebook", "t:titanic"));

        List<CoMentionIndex.Hit> hits = index.rank("new", List.of("t:alien"), Set.of(), 10);

        assertThat(hits).extracting(CoMentionIndex.Hit::itemId).containsExactly("t:aliens", "t:thing");
        assertThat(hits).extracting(CoMentionIndex.Hit::votes).containsExactly(3, 2);
    }

    @Test
    void theContextsOwnDialogueNeverVotesSoItsGoldIsNotCopiedIntoTheCandidates() {
        // only d1 links alien with the gold item "t:predator"; d1 is the dialogue being retrieved for
        Dialogue own = mentions("d1", "t:alien", "t:predator");
        CoMentionIndex index = indexOf(own, mentions("d2", "t:alien", "t:thing"));
        DialogueContext context = DialogueContexts.derive(own).get(0);

        List<CoMentionIndex.Hit> hits = index.rank(context.dialogueId(), CoMentionIndex.seeds(context, own),
                context.mentionedBefore(), 10);

        assertThat(hits).extracting(CoMentionIndex.Hit::itemId).containsExactly("t:thing");
        assertThat(index.rank("someone-else", List.of("t:alien"), Set.of(), 10))
                .extracting(CoMentionIndex.Hit::itemId).contains("t:predator");
    }

    @Test
    void excludedItemsAndOtherSplitsNeverAppear() {
        Dialogue test = dialogue("d9", "test", seeker("a", "t:alien"), recommender("b", "t:secret"));
        CoMentionIndex index = indexOf(mentions("d1", "t:alien", "t:aliens", "t:thing"), test);

        assertThat(index.rank("x", List.of("t:alien"), Set.of("t:aliens"), 10))
                .extracting(CoMentionIndex.Hit::itemId).containsExactly("t:thing");
        assertThat(index.dialogueCount()).isEqualTo(1);
    }

    @Test
    void likedItemsAreTheSeedsWhenTheSeekerSaidSoOtherwiseEveryMentionedItem() {
        Dialogue d = dialogue("d1", "train", seeker("I loved A and hated B", "t:a", "t:b"),
                recommender("How about C", "t:c"));
        DialogueContext c = DialogueContexts.derive(d).get(0);
        assertThat(CoMentionIndex.seeds(c, d)).containsExactly("t:a", "t:b");

        d.setFeedback(List.of(seekerLiked("t:a", true), seekerLiked("t:b", false)));
        assertThat(CoMentionIndex.seeds(c, d)).containsExactly("t:a");

        d.setFeedback(List.of(seekerLiked("t:a", false), seekerLiked("t:b", false)));
        assertThat(CoMentionIndex.seeds(c, d)).as("nothing liked: fall back to what was mentioned")
                .containsExactly("t:a", "t:b");
    }

    @Test
    void replacingADialogueReplacesItsVotes() {
        CoMentionIndex index = indexOf(mentions("d1", "t:alien", "t:aliens"));
        index.put("d1", mentions("d1", "t:alien", "t:thing"));
        assertThat(index.rank("x", List.of("t:alien"), Set.of(), 10)).extracting(CoMentionIndex.Hit::itemId)
                .containsExactly("t:thing");
        index.put("d1", null);
        assertThat(index.rank("x", List.of("t:alien"), Set.of(), 10)).isEmpty();
    }

    @Test
    void collaborativeSourceTopsUpContextsWithoutSeedsFromPopularItemsAndSaysSo() {
        CoMentionIndex index = indexOf(mentions("d1", "t:alien", "t:aliens"), mentions("d2", "t:alien", "t:thing"));
        Dialogue fresh = dialogue("n1", "train", seeker("anything scary?"), recommender("Alien", "t:alien"));
        DialogueContext c = DialogueContexts.derive(fresh).get(0);

        List<CandidateSource.Proposal> ps = new CollaborativeSource(index, true)
                .propose(List.of(new CandidateSource.Request(c, fresh, new float[0])), 2).get(0);

        assertThat(ps).extracting(CandidateSource.Proposal::itemId).containsExactly("t:alien", "t:aliens");
        assertThat(ps).extracting(CandidateSource.Proposal::source).containsOnly(CandidateSource.POPULARITY);
        assertThat(new CollaborativeSource(index, false)
                .propose(List.of(new CandidateSource.Request(c, fresh, new float[0])), 2).get(0)).isEmpty();
    }

    @Test
    void fusionRanksItemsBothListsAgreeOnFirstAndMarksThem() {
        List<CandidateSource.Proposal> semantic = List.of(p("a", "semantic"), p("b", "semantic"), p("c", "semantic"));
        List<CandidateSource.Proposal> collab = List.of(p("c", "collaborative"), p("d", "collaborative"));

        List<CandidateSource.Proposal> fused = FusionSource.fuse(List.of(semantic, collab), 4);

        // c: 1/63 + 1/61; a: 1/61; b and d: 1/62 each, tie to the smaller id
        assertThat(fused).extracting(CandidateSource.Proposal::itemId).containsExactly("c", "a", "b", "d");
        assertThat(fused).extracting(CandidateSource.Proposal::source)
                .containsExactly("fusion", "semantic", "semantic", "collaborative");
    }

    private static CandidateSource.Proposal p(String id, String source) {
        return new CandidateSource.Proposal(id, 1f, source);
    }
}
