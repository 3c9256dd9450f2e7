package org.crsaug.data.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Finding and masking a title or a name in free text: the guard that keeps a simulated seeker from naming its target. */
class TitleMentionsTest {

    @Test
    void findsATitleWhateverItsCaseAccentsPunctuationYearOrArticle() {
        TitleMentions matrix = TitleMentions.ofTitle("The Matrix (1999)");
        assertThat(matrix.foundIn("have you seen THE MATRIX?")).isTrue();
        assertThat(matrix.foundIn("a matrix of lies")).isTrue();
        assertThat(matrix.foundIn("the matrices")).isFalse();
        assertThat(TitleMentions.ofTitle("Matrix, The").foundIn("The Matrix")).isTrue();
        assertThat(TitleMentions.ofTitle("Amélie (2001)").foundIn("I loved amelie")).isTrue();
        assertThat(TitleMentions.ofTitle("Ocean's Eleven (2001)").foundIn("oceans eleven")).isTrue();
        assertThat(TitleMentions.ofTitle("Fast & Furious (2009)").foundIn("something fast and furious")).isTrue();
        assertThat(TitleMentions.ofTitle("Up (2009)").foundIn("an upbeat film")).isFalse();
        assertThat(TitleMentions.ofTitle("?!").foundIn("?!")).isFalse();
    }

    @Test
    void masksEveryOccurrenceAndLeavesTheRestOfTheTextAlone() {
        TitleMentions title = TitleMentions.ofTitle("Die Hard (1988)");
        String masked = title.mask("Die-Hard fans: die hard, then DIE HARD again. A hardy die.");
        assertThat(masked).isEqualTo("… fans: …, then … again. A hardy die.");
        assertThat(title.foundIn(masked)).isFalse();
        assertThat(TitleMentions.ofName("Tom Hanks").mask("Tom Hanks and Tom Cruise")).isEqualTo("… and Tom Cruise");
        // a one-word title that is a common word is masked wherever it stands: a leak costs more than a word
        assertThat(TitleMentions.ofTitle("It (2017)").mask("It is scary, I liked it.")).isEqualTo("… is scary, I liked ….");
    }
}
