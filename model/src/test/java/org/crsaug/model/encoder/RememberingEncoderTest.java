package org.crsaug.model.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RememberingEncoderTest {

    private static final List<String> TURNS = List.of(
            "Seeker: I want a scary ghost story for tonight.",
            "Seeker: I want a scary ghost story for tonight.\nRecommender: How about The Haunting?",
            "Seeker: something funny with a wedding in it",
            "Seeker: a western with a lone gunslinger");

    @TempDir
    Path cache;

    @Test
    void remembersTheVectorsTheRealEncoderGivesAndEncodesOnlyTextsItHasNotSeen() {
        try (MiniLmEncoder bare = new MiniLmEncoder(cache, 2);
                RememberingEncoder remembering = new RememberingEncoder(new MiniLmEncoder(cache, 2), 3)) {
            float[][] expected = bare.encodeQueries(TURNS);

            float[][] first = remembering.encodeQueries(TURNS.subList(0, 2));
            assertThat(remembering.counts()).containsExactly(0, 2);
            float[][] second = remembering.encodeQueries(List.of(TURNS.get(1), TURNS.get(2), TURNS.get(0)));
            assertThat(remembering.counts()).as("two remembered, one new").containsExactly(2, 3);

            assertThat(first).isDeepEqualTo(new float[][] {expected[0], expected[1]});
            assertThat(second).isDeepEqualTo(new float[][] {expected[1], expected[2], expected[0]});
            assertThat(remembering.id()).isEqualTo(bare.id());

            // a returned row is the caller's: changing it does not change what is remembered
            second[0][0] += 1f;
            // capacity 3: the fourth text pushes out the least recently used one (turn 1, last used before 0 and 2)
            remembering.encodeQueries(List.of(TURNS.get(3)));
            float[][] again = remembering.encodeQueries(List.of(TURNS.get(0), TURNS.get(1)));
            assertThat(again).isDeepEqualTo(new float[][] {expected[0], expected[1]});
            assertThat(remembering.counts()).as("turn 0 remembered, turn 1 encoded again").containsExactly(3, 5);
        }
    }
}
