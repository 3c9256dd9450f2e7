package org.crsaug.scorer.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class TeacherExamplesTest {

    // liked at 3.0 and 1.0, not liked at 2.0 and 0.5, unrelated (sampled, no answer) at 0.0 and 2.5
    private static final List<TeacherExamples.Example> EXAMPLES = List.of(example(true), example(true),
            example(false), example(false), example(null), example(null));
    private static final float[] SCORES = {3.0f, 1.0f, 2.0f, 0.5f, 0.0f, 2.5f};

    private static TeacherExamples.Example example(Boolean liked) {
        return new TeacherExamples.Example("c", "i", liked == null ? 0 : liked ? 4 : 1, liked, new float[0]);
    }

    @Test
    void likedAgainstNotLikedCountsTheOrderedPairsAndIgnoresTheUnrelatedItems() {
        // (3>2) (3>0.5) (1<2) (1>0.5): 3 of 4 pairs in order
        assertThat(TeacherExamples.aucLikedVsNotLiked(EXAMPLES, SCORES)).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void namedAgainstUnrelatedPutsLikedAndNotLikedOnTheSameSide() {
        // every named item beats 0.0 (4 pairs), only 3.0 beats 2.5 (1 pair): 5 of 8
        assertThat(TeacherExamples.aucNamedVsUnrelated(EXAMPLES, SCORES)).isCloseTo(0.625, within(1e-12));
    }

    @Test
    void tiesCountHalfAndAMissingSideGivesNoNumber() {
        assertThat(TeacherExamples.aucLikedVsNotLiked(List.of(example(true), example(false)), new float[] {1f, 1f}))
                .isCloseTo(0.5, within(1e-12));
        assertThat(TeacherExamples.aucNamedVsUnrelated(List.of(example(true), example(false)), new float[] {1f, 2f}))
                .isNaN();
    }
}
