package org.crsaug.retriever;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.crsaug.data.embedding.Embeddings;
import org.crsaug.data.item.ItemText;
import org.crsaug.platform.metrics.StageMeters;
import org.crsaug.schema.ContextEmbedding;
import org.crsaug.schema.EmbeddingKind;
import org.crsaug.schema.Item;

/** Puts items into the catalogue and the index, encoding only those without a cached vector for their text. */
public final class ItemEmbedder {

    private ItemEmbedder() {
    }

    /** @return the vectors it had to encode, for publishing */
    public static List<ContextEmbedding> index(Collection<Item> items, RetrieverParts parts) {
        List<Item> toEncode = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (Item item : items) {
            parts.items().put(item.getItemId(), item);
            String text = ItemText.describe(item);
            float[] cached = parts.cache().vector(EmbeddingKind.ITEM, item.getItemId(), ItemText.contentHash(text));
            if (cached != null) {
                parts.index().upsert(item.getItemId(), cached);
            } else {
                toEncode.add(item);
                texts.add(text);
            }
        }
        List<ContextEmbedding> fresh = new ArrayList<>(toEncode.size());
        if (toEncode.isEmpty()) {
            return fresh;
        }
        float[][] vectors;
        try (StageMeters.Span span = StageMeters.begin(StageMeters.ITEM_ENCODING)) {
            vectors = parts.encoder().encode(texts);
            span.record();
        }
        for (int i = 0; i < toEncode.size(); i++) {
            String itemId = toEncode.get(i).getItemId();
            ContextEmbedding e = Embeddings.record(EmbeddingKind.ITEM, itemId, parts.encoder().id(),
                    ItemText.contentHash(texts.get(i)), vectors[i]);
            parts.cache().put(e);
            parts.index().upsert(itemId, vectors[i]);
            fresh.add(e);
        }
        return fresh;
    }
}
