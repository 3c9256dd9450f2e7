package org.crsaug.retriever;

import static org.assertj.core.api.Assertions.assertThat;
import static org.crsaug.retriever.Dialogues.dialogue;
import static org.crsaug.retriever.Dialogues.recommender;
import static org.crsaug.retriever.Dialogues.seeker;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.crsaug.platform.config.CrsConfig;
import org.crsaug.model.encoder.MiniLmEncoder;
import org.crsaug.schema.Candidate;
import org.crsaug.schema.Candidates;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.Dialogue;
import org.crsaug.schema.Item;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which contexts a new item sends back to retrieval, with the real encoder and a top-2 list. */
class ReretrieverTest {

    private static CountingEncoder encoder;

    @BeforeAll
    static void load(@TempDir Path models) {
        encoder = new CountingEncoder(new MiniLmEncoder(models, 8));
    }

    @AfterAll
    static void unload() {
        encoder.close();
    }

    private static final Dialogue SCARY = dialogue("t:scary", "train",
            seeker("I want a terrifying horror film tonight, with ghosts and zombies and lots of screaming."),
            recommender("Dead Streets has zombies.", "t:2"));
    private static final Dialogue LOVE = dialogue("t:love", "train",
            seeker("Something romantic please, a love story about a couple in Paris."),
            recommender("Paris in Spring is lovely.", "t:3"));

    private static RetrieverParts parts(String source) {
        RetrieverSettings settings = RetrieverSettings.fromConfig(CrsConfig.defaults().with("retriever.top.k", "2"))
                .withSource(source).withSemantic(false, false);
        RetrieverParts parts = RetrieverParts.of(encoder, new EmbeddingCache(encoder.id()), new ConcurrentHashMap<>(),
                settings).withReretrieval();
        ItemEmbedder.index(Catalogue.ALL, parts);
        return parts;
    }

    @Test
    void aNewItemRevisitsOnlyTheContextsWhoseTopKItEnters() {
        for (String source : List.of(CandidateSource.SEMANTIC, CandidateSource.FUSION)) {
            RetrieverParts parts = parts(source);
            ContextRetriever retriever = new ContextRetriever(parts);
            retriever.retrieve(SCARY);
            retriever.retrieve(LOVE);
            assertThat(parts.reretriever().size()).isEqualTo(2);

            Item slasher = Catalogue.item("t:8", "Night Screams", List.of("Horror"),
                    "Ghosts and zombies hunt screaming teenagers through a terrifying haunted town.");
            List<ContextEmbedding> fresh = ItemEmbedder.index(List.of(slasher), parts);
            long encodedBefore = encoder.encodedTexts();
            ContextRetriever.Result again = parts.reretriever().reretrieve(
                    fresh.stream().map(ContextEmbedding::getId).toList(), retriever);

            assertThat(again.candidates()).as(source).extracting(Candidates::getContextId)
                    .containsExactly("t:scary#1");
            assertThat(again.candidates().get(0).getItems()).extracting(Candidate::getItemId).contains("t:8");
            assertThat(again.newEmbeddings()).isEmpty();
            assertThat(encoder.encodedTexts()).as("context vectors come from the cache").isEqualTo(encodedBefore);

            // an item nobody's top-2 would take sends nothing back
            Item documentary = Catalogue.item("t:9", "Accounting Standards", List.of("Documentary"),
                    "Clerks explain quarterly tax forms and spreadsheet audit procedures.");
            List<String> ids = ItemEmbedder.index(List.of(documentary), parts).stream().map(ContextEmbedding::getId)
                    .toList();
            assertThat(parts.reretriever().reretrieve(ids, retriever).candidates()).as(source).isEmpty();
        }
    }

    @Test
    void aChangedCandidateRevisitsTheContextsThatListIt() {
        RetrieverParts parts = parts(CandidateSource.SEMANTIC);
        ContextRetriever retriever = new ContextRetriever(parts);
        Candidates before = retriever.retrieve(SCARY).candidates().get(0);
        String top = before.getItems().get(0).getItemId();
        Item old = parts.items().get(top);
        // rewritten into something else entirely: it should leave the horror context's list
        Item rewritten = Catalogue.item(top, old.getTitle(), List.of("Documentary"),
                "Clerks explain quarterly tax forms and spreadsheet audit procedures.");
        List<String> ids = ItemEmbedder.index(List.of(rewritten), parts).stream().map(ContextEmbedding::getId)
                .toList();
        List<Candidates> again = parts.reretriever().reretrieve(ids, retriever).candidates();
        assertThat(again).extracting(Candidates::getContextId).containsExactly("t:scary#1");
        assertThat(again.get(0).getItems()).extracting(Candidate::getItemId).doesNotContain(top);
    }
}
