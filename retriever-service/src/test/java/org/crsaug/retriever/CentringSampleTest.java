package org.crsaug.retriever;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.crsaug.model.encoder.MiniLmEncoder;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.schema.Dialogue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The context mean depends on the data only: not on the order dialogues arrive in, nor on later arrivals. */
class CentringSampleTest {

    private static CountingEncoder encoder;

    @BeforeAll
    static void start(@TempDir Path models) {
        encoder = new CountingEncoder(new MiniLmEncoder(models, 8));
    }

    @AfterAll
    static void stop() {
        encoder.close();
    }

    /** 120 training dialogues of two contexts each (240 >= MIN_COUNT) and 30 test dialogues. */
    private static List<Dialogue> dialogues() {
        List<Dialogue> out = new ArrayList<>();
        String[] genres = {"horror", "comedy", "drama", "western", "musical", "thriller"};
        for (int i = 0; i < 150; i++) {
            String g = genres[i % genres.length];
            out.add(Dialogues.dialogue(String.format("t:%03d", i), i < 120 ? "train" : "test",
                    Dialogues.seeker("I want a " + g + " film like number " + i),
                    Dialogues.recommender("Try this one", "t:a" + (i % 7)),
                    Dialogues.seeker("Seen it. Another " + g + " one for " + (i % 11) + " people?"),
                    Dialogues.recommender("Then this", "t:b" + (i % 5))));
        }
        return out;
    }

    private static RetrieverParts parts() {
        return RetrieverParts.of(encoder, new EmbeddingCache(encoder.id()), new ConcurrentHashMap<>(),
                RetrieverSettings.fromConfig(CrsConfig.defaults()));
    }

    private static float[] meanAfter(List<Dialogue> arrivals, RetrieverParts parts) {
        CentringSample sample = new CentringSample(Set.of("train"));
        arrivals.forEach(d -> sample.offer(d.getDialogueId(), d));
        assertThat(parts.fixContextMean(sample)).isNotNull();
        return parts.contextMean().value();
    }

    @Test
    void theSameDialoguesInAnyOrderGiveTheSameMeanBitForBit() {
        List<Dialogue> inOrder = dialogues();
        List<Dialogue> shuffled = new ArrayList<>(inOrder);
        Collections.shuffle(shuffled, new Random(7));
        RetrieverParts first = parts();
        float[] mean = meanAfter(inOrder, first);

        assertThat(meanAfter(shuffled, parts())).containsExactly(mean);
        // a vector the encoder made earlier (on the topic, in the cache) counts exactly as a fresh one
        RetrieverParts cached = RetrieverParts.of(encoder, first.cache(), new ConcurrentHashMap<>(), first.settings());
        long encodedBefore = encoder.encodedTexts();
        assertThat(meanAfter(shuffled, cached)).containsExactly(mean);
        assertThat(encoder.encodedTexts()).isEqualTo(encodedBefore);
    }

    @Test
    void tooFewTrainingContextsFixNothingAndTheMeanOnceFixedIsReadBackNotRecomputed() {
        RetrieverParts parts = parts();
        CentringSample sample = new CentringSample(Set.of("train"));
        List<Dialogue> all = dialogues();
        // 99 training dialogues hold 198 contexts, two short of the minimum; test dialogues never count
        all.subList(0, 99).forEach(d -> sample.offer(d.getDialogueId(), d));
        all.subList(120, 150).forEach(d -> sample.offer(d.getDialogueId(), d));
        assertThat(sample.ready()).isFalse();
        assertThat(parts.fixContextMean(sample)).isNull();
        assertThat(parts.contextMean().isFixed()).isFalse();
        float[] raw = {1, 0, 0};
        assertThat(parts.contextMean().centre(raw)).isSameAs(raw);

        sample.offer(all.get(99).getDialogueId(), all.get(99));
        CentringSample.Result fixed = parts.fixContextMean(sample);
        assertThat(fixed.contexts()).isEqualTo(200);
        assertThat(fixed.record().getId()).isEqualTo(CentringSample.MEAN_ID);
        assertThat(fixed.encoded()).hasSize(200);

        // a retriever that starts later reads the published mean, whatever dialogues arrived meanwhile
        EmbeddingCache topic = new EmbeddingCache(encoder.id());
        topic.put(fixed.record());
        RetrieverParts later = RetrieverParts.of(encoder, topic, new ConcurrentHashMap<>(), parts.settings());
        assertThat(later.contextMean().value()).containsExactly(fixed.mean());
        CentringSample more = new CentringSample(Set.of("train"));
        all.forEach(d -> more.offer(d.getDialogueId(), d));
        assertThat(later.fixContextMean(more)).isNull();
        assertThat(later.contextMean().value()).containsExactly(fixed.mean());
    }
}
