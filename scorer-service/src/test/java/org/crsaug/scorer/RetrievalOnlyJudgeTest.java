package org.crsaug.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.ScoredPair;
import org.junit.jupiter.api.Test;

class RetrievalOnlyJudgeTest {

    static Candidates candidates(int n) {
        List<Candidate> items = new ArrayList<>();
        for (int i = n - 1; i >= 0; i--) {
            items.add(Candidate.newBuilder().setItemId("i" + i).setRank(i).setRetrievalScore(1f - i / 100f)
                    .setSource("semantic").build());
        }
        return Candidates.newBuilder().setContextId("c#1").setDialogueId("c").setEncoderId("e")
                .setContextText("Seeker: hi").setItems(items).build();
    }

    @Test
    void onlyTheTopRanksPassTheThreshold() {
        List<ScoredPair> scores = new RetrievalOnlyJudge(3).judge(candidates(10), JudgeInputs.none()).scores();

        assertThat(scores).hasSize(10);
        assertThat(scores).filteredOn(p -> p.getScore() > 3.5f).extracting(ScoredPair::getItemId)
                .containsExactly("i0", "i1", "i2");
        assertThat(scores).allSatisfy(p -> assertThat(p.getScore()).isBetween(0f, 4f));
        assertThat(scores.get(3).getScore()).isGreaterThan(scores.get(9).getScore());
        assertThat(scores).allSatisfy(p -> assertThat(p.getJudgeId()).isEqualTo("retrieval-only"));
    }
}
